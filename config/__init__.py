"""The project as served: the root URLconf that composes every app (ROOT_URLCONF).

It stands above every app, so no app imports it; settings stay in api/settings/ (the
ground floor reads no app) and name it by string.
"""
