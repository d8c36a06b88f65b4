//! The answers every route can give because of what it takes rather than what it does, added to
//! each operation of the document from its shape: 401 where a bearer token is required; 400,
//! 413, 415 and 422 where a JSON body is read (the JSON extractor's errors); 400 and 415 where a
//! multipart form is; 422 where a query string is parsed. The extractors answer these for every
//! route alike, so the document says so for every route alike rather than in each route's
//! annotation, where one would be forgotten. A path naming a resource may answer 404; ids get
//! the pattern their parser accepts.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, Schema};

/// The ids of the service's resources, as `Uuid::try_parse` reads them in their usual form.
const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// A user id, as [`mesdonnees_shared::UserId::parse`] accepts it.
const USER_ID_PATTERN: &str = "^[A-Za-z0-9._@-]{1,128}$";

pub(super) fn complete(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            complete_operation(operation);
        }
    }
}

fn complete_operation(op: &mut Operation) {
    let mut answers: Vec<(&str, &str)> = Vec::new();
    if needs_bearer(op) {
        answers
            .push(("401", "no token, or one that is malformed, expired or not for this service"));
    }
    let body_types: Vec<String> =
        op.request_body.iter().flat_map(|body| body.content.keys().cloned()).collect();
    if body_types.iter().any(|t| t == "application/json") {
        answers.extend([
            ("400", "the body is not JSON"),
            ("413", "the body is over `limits.max_json_bytes`"),
            ("415", "the body is not application/json"),
            ("422", "the body does not fit its schema"),
        ]);
    }
    if body_types.iter().any(|t| t == "multipart/form-data") {
        answers.extend([
            ("400", "the multipart body is malformed"),
            ("415", "the body is of a type this route does not take"),
        ]);
    }
    let params = op.parameters.iter_mut().flatten();
    let mut query = false;
    let mut path = false;
    for param in params {
        let pattern = match (&param.parameter_in, param.name.as_str()) {
            (ParameterIn::Path | ParameterIn::Query, "user_id") => Some(USER_ID_PATTERN),
            (ParameterIn::Path, "id") | (ParameterIn::Query, "folder_id") => Some(UUID_PATTERN),
            _ => None,
        };
        if let Some(pattern) = pattern {
            param.schema =
                Some(ObjectBuilder::new().schema_type(Type::String).pattern(Some(pattern)).into());
        }
        query |= matches!(param.parameter_in, ParameterIn::Query);
        path |= matches!(param.parameter_in, ParameterIn::Path);
    }
    if path {
        answers.push(("404", "no such resource, or not the caller's: never said which"));
    }
    if query {
        answers.push(("422", "a query parameter of the wrong type or out of its range"));
    }
    for (status, description) in answers {
        op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
    }
}

/// Whether the operation takes the bearer token: without it (or another way in, such as a
/// signed link), it answers 401.
fn needs_bearer(op: &Operation) -> bool {
    let Ok(serde_json::Value::Array(requirements)) = serde_json::to_value(&op.security) else {
        return false;
    };
    requirements.iter().any(|r| r.get("bearer").is_some())
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    let schema: RefOr<Schema> = Ref::from_schema_name("Problem").into();
    ResponseBuilder::new()
        .description(description)
        .content("application/problem+json", ContentBuilder::new().schema(Some(schema)).build())
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut found = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                found.push((format!("{method} {path}"), op));
            }
        }
        found
    }

    #[test]
    fn protected_routes_declare_401_and_bodies_their_extractor_errors() {
        let doc = serde_json::to_value(crate::openapi()).expect("serialisable");
        for (name, op) in operations(&doc) {
            let responses = &op["responses"];
            let bearer = op["security"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r.get("bearer").is_some()));
            if bearer {
                assert!(responses["401"].is_object(), "{name} lacks 401");
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses[status].is_object(), "{name} lacks {status}");
                }
            }
        }
        let health = &doc["paths"]["/healthz"]["get"];
        assert!(health["responses"]["401"].is_null(), "an open route");
    }
}
