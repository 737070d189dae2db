"""Messages of DRF and simplejwt that reach clients but have no Vietnamese in
those packages' own catalogs.

Listed here (marked, not translated at import) so `makemessages` keeps them in
locale/vi/LC_MESSAGES/django.po, where the project's catalog supplies the
Vietnamese; the packages' own calls then find it, because Django merges every
catalog and LOCALE_PATHS wins. Nothing imports this module.
"""
from django.utils.translation import gettext_noop

MESSAGES = [
    # rest_framework
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("A valid integer is required."),
    gettext_noop("A valid number is required."),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    gettext_noop("Invalid page."),
    gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_noop("Malformed request."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("This field may not be null."),
    gettext_noop("Request was throttled."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("A server error occurred."),
    # django (forms) messages missing from its Vietnamese catalog
    gettext_noop("Null characters are not allowed."),
    # rest_framework_simplejwt
    gettext_noop("No active account found with the given credentials"),
    gettext_noop("Token is invalid"),
    gettext_noop("Token is expired"),
    gettext_noop("Token is invalid or expired"),
    gettext_noop("Token is blacklisted"),
    gettext_noop("Token has wrong type"),
    gettext_noop("Given token not valid for any token type"),
    gettext_noop("Authorization header must contain two space-delimited values"),
    gettext_noop("Token contained no recognizable user identification"),
    gettext_noop("User not found"),
    gettext_noop("User is inactive"),
]
