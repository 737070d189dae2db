"""Read the Kotlin, Swift and Dart sources openapi-generator made from the served document for
what broke before: URL fields that were classes named after Vietnamese titles, `complete` that
could not upload a photo, fields the server always sends typed as optional, and inline models
named after anything but our components.

Usage: python check_generated.py BUILD_DIR   (after clients/run.sh generated into it)
"""
import json
import re
import sys
from pathlib import Path

build = Path(sys.argv[1])
components = set(json.loads((build / "openapi.json").read_text())["components"]["schemas"])
failures: list[str] = []
checks = 0


def expect(condition: bool, message: str) -> None:
    global checks
    checks += 1
    if not condition:
        failures.append(message)


def source(path: Path) -> str:
    expect(path.exists(), f"{path} was not generated")
    return path.read_text() if path.exists() else ""


def models_are_components(folder: Path, suffix: str, name_of) -> None:
    names = {name_of(p.name[: -len(suffix)]) for p in folder.glob(f"*{suffix}")}
    expect(bool(names), f"no models in {folder}")
    strays = sorted(n for n in names if n not in components)
    expect(not strays, f"{folder}: models that are not schema components (inline or title-named): {strays}")
    expect(not any(re.search(r"[^\x00-\x7f]|Ng|Dn|Minh", n) for n in strays), f"{folder}: Vietnamese-titled models")


def snake_to_pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


# Kotlin (kotlinx serialization, ktor) ------------------------------------------------------
kotlin = build / "kotlin/src/main/kotlin/org/openapitools/client"
models_are_components(kotlin / "models", ".kt", lambda n: n)
assignment = source(kotlin / "models/Assignment.kt")
expect("val evidenceUrl: kotlin.String," in assignment, "Kotlin: Assignment.evidenceUrl is a non-null String")
expect("val status: AssignmentStatusEnum," in assignment, "Kotlin: Assignment.status is not optional")
expect("val evidenceImage: java.net.URI?" in assignment, "Kotlin: Assignment.evidenceImage is a nullable URI")
expect("val referenceUrl: kotlin.String," in source(kotlin / "models/AssignmentTask.kt"),
       "Kotlin: AssignmentTask.referenceUrl is a String")
expect("val status: TaskStatusEnum," in source(kotlin / "models/Task.kt"), "Kotlin: Task.status is not optional")
api = source(kotlin / "apis/AssignmentsApi.kt")
complete = api[api.find("fun assignmentsCompleteCreate"):][:2500]
expect("formData {" in complete and "multipartFormRequest" in complete, "Kotlin: complete is a multipart call")
expect("evidenceImage: io.ktor.client.request.forms.FormPart" in complete, "Kotlin: complete takes a file part")
params = source(kotlin / "models/NotificationParams.kt")
expect("val task: kotlin.String?" in params and "val count: kotlin.Long?" in params, "Kotlin: params are typed")

# Swift -------------------------------------------------------------------------------------
swift = next((p for p in build.glob("swift/**/Models") if p.is_dir()), build / "swift/Models")
models_are_components(swift, ".swift", lambda n: n)
assignment = source(swift / "Assignment.swift")
expect(re.search(r"public (var|let) evidenceUrl: String\b(?!\?)", assignment) is not None,
       "Swift: Assignment.evidenceUrl is a non-optional String")
expect(re.search(r"public (var|let) status: AssignmentStatusEnum\b(?!\?)", assignment) is not None,
       "Swift: Assignment.status is not optional")
swift_api = source(next(build.glob("swift/**/APIs/AssignmentsAPI.swift"), build / "swift/AssignmentsAPI.swift"))
complete = swift_api[swift_api.find("func assignmentsCompleteCreate"):]
expect('"multipart/form-data"' in complete[:6000], "Swift: complete is a multipart call")
expect("evidenceImage: URL?" in complete[:3000], "Swift: complete takes a file")

# Dart --------------------------------------------------------------------------------------
dart = build / "dart/lib"
models_are_components(dart / "model", ".dart", snake_to_pascal)
assignment = source(dart / "model/assignment.dart")
expect(re.search(r"^\s*String evidenceUrl;", assignment, re.M) is not None, "Dart: Assignment.evidenceUrl is a String")
expect(re.search(r"^\s*AssignmentStatusEnum status;", assignment, re.M) is not None,
       "Dart: Assignment.status is not optional")
dart_api = source(dart / "api/assignments_api.dart")
complete = dart_api[dart_api.find("Future<Response> assignmentsCompleteCreateWithHttpInfo"):][:3000]
expect("MultipartRequest" in complete and "MultipartFile? evidenceImage" in complete,
       "Dart: complete is a multipart call with a file")

for failure in failures:
    print(f"FAIL {failure}")
print(f"generated clients: {checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
