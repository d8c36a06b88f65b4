//! The JSON body of every route: `web::Json`'s limit, content type and errors, and then a
//! struct is read from a JSON object only.
//!
//! serde's derives also build a struct from an array of its fields in order, so `["x", null]`
//! would create a folder named `x`: a client that sends an array means something else, and the
//! OpenAPI document promises objects. The body is first read as a [`Value`] (under
//! `limits.max_json_bytes`), then the route's type is read from it through [`Strict`], which
//! answers every struct asked for with the object's members and refuses any other shape, at
//! every depth. A struct with `#[serde(flatten)]` would escape it (serde reads the flattened
//! part through its own buffer): the route bodies have none.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use mesdonnees_shared::ErrorCode;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A request body of type `T`, read from a JSON object.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = value.await?.into_inner();
            read(value).map(Json).map_err(Into::into)
        })
    }
}

/// Whether a request declares a JSON body, for a route that also takes other kinds.
pub fn declared(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.essence_str() == "application/json")
}

/// The body of a route that reads its payload itself, read as [`Json`] reads it.
pub async fn from_payload<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, actix_web::Error> {
    let mut payload = payload.into_inner();
    Ok(Json::<T>::from_request(req, &mut payload).await?.into_inner())
}

/// `T` from a JSON value, structs from objects only.
fn read<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    T::deserialize(Strict(value)).map_err(|e| {
        ApiError::unprocessable(ErrorCode::InvalidRequest, format!("invalid body: {e}"))
    })
}

/// A [`Value`] as a deserializer that reads a struct from an object only.
struct Strict(Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl<'de> de::Deserializer<'de> for Strict {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            Value::Object(members) => visitor.visit_map(Members::new(members)),
            scalar => de::Deserializer::deserialize_any(scalar, visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Object(members) => visitor.visit_map(Members::new(members)),
            other => Err(Self::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Object(members) => {
                let mut members = members.into_iter();
                match (members.next(), members.next()) {
                    (Some((variant, value)), None) => {
                        visitor.visit_enum(Variant { variant, value })
                    }
                    _ => {
                        Err(Self::Error::invalid_value(Unexpected::Map, &"an object of one member"))
                    }
                }
            }
            other => Err(Self::Error::invalid_type(unexpected(&other), &visitor)),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = serde_json::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        self.0.next().map(|item| seed.deserialize(Strict(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Members {
    members: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl Members {
    fn new(members: Map<String, Value>) -> Self {
        Self { members: members.into_iter(), value: None }
    }
}

impl<'de> MapAccess<'de> for Members {
    type Error = serde_json::Error;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        let Some((key, value)) = self.members.next() else { return Ok(None) };
        self.value = Some(value);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        let value =
            self.value.take().ok_or_else(|| Self::Error::custom("a value before its key"))?;
        seed.deserialize(Strict(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// An enum written as `{"variant": content}`.
struct Variant {
    variant: String,
    value: Value,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = serde_json::Error;
    type Variant = Strict;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Strict), Self::Error> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, Strict(self.value)))
    }
}

impl<'de> VariantAccess<'de> for Strict {
    type Error = serde_json::Error;

    fn unit_variant(self) -> Result<(), Self::Error> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(Self::Error::invalid_type(unexpected(&other), &"a unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, Self::Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::read;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
        b: Option<String>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
        kind: Option<Kind>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Archive,
        Table,
    }

    #[test]
    fn objects_read_as_before() {
        let got: Outer = read(json!({
            "name": "x",
            "inner": {"a": 1, "b": null},
            "list": [{"a": 2}],
            "kind": "table",
        }))
        .expect("an object");
        assert_eq!(
            got,
            Outer {
                name: "x".into(),
                inner: Some(Inner { a: 1, b: None }),
                list: Some(vec![Inner { a: 2, b: None }]),
                kind: Some(Kind::Table),
            }
        );
        assert!(read::<Outer>(json!({"name": "x", "extra": 1})).is_err(), "unknown member");
        assert!(read::<Outer>(json!({"name": 1})).is_err(), "a number for a string");
        assert!(read::<Outer>(json!({"name": "x", "kind": "zip"})).is_err(), "unknown variant");
        let _: Kind = read(json!("archive")).expect("a unit variant");
    }

    #[test]
    fn arrays_are_no_structs_at_any_depth() {
        assert!(read::<Outer>(json!(["x", null, null, null])).is_err(), "at the root");
        assert!(read::<Outer>(json!({"name": "x", "inner": [1, null]})).is_err(), "a member");
        assert!(read::<Outer>(json!({"name": "x", "list": [[1, null]]})).is_err(), "an item");
        let _: Vec<u32> = read(json!([1, 2])).expect("arrays still read as lists");
    }
}
