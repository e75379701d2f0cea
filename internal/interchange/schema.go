package interchange

// SchemaID is the $id of the published JSON Schema. The schema itself is
// generated from the model by ./schemagen and embedded by package docs.
const SchemaID = "https://ctg.example/schemas/convention/v1.json"
