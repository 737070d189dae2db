// openapi-typescript over the served document, with `format: binary` typed as Blob (the CLI
// would type it as string, and a photo upload would then need a cast).
import { writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [source, target] = process.argv.slice(2);
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());

const ast = await openapiTS(new URL(source), {
  // A request field with a default (on_behalf: false) stays optional for the caller; every
  // response field is already listed as required by the document itself (api/schema.py).
  defaultNonNullable: false,
  transform(schemaObject) {
    if (schemaObject.format === "binary") {
      return schemaObject.nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
    }
    return undefined;
  },
});
writeFileSync(target, astToString(ast));
