//! Actions: the serde type agents send (tagged by `action_type`), and its
//! checked form. A bad action is data, not a failure: [`parse`] says
//! precisely what is wrong (unknown type, a value outside the domain with the
//! allowed values and the closest one, a missing or an extra field).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::runtime::{excerpt, json_kind};

use crate::spec::DomainSpec;
use crate::suggest;

/// An action, as an agent sends it (JSON, tagged by `action_type`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action_type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Sets any of the three routing fields (at least one).
    Classify {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        queue: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        priority: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        issue_type: Option<String>,
    },
    /// Asks the customer for fields; the task's follow-up answers once.
    RequestInfo {
        fields: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// A customer-facing reply.
    Reply { message: String },
    /// An internal note.
    AddNote { text: String },
    /// Sets the case status and, optionally, the resolution code.
    SetStatus {
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resolution_code: Option<String>,
    },
    /// Ends the episode.
    Submit {},
}

/// The action types, in the contract's order.
pub const ACTION_TYPES: [&str; 6] = [
    "classify",
    "request_info",
    "reply",
    "add_note",
    "set_status",
    "submit",
];

/// The fields each action type takes beside `action_type`.
const FIELDS: [(&str, &[&str]); 6] = [
    ("classify", &["queue", "priority", "issue_type"]),
    ("request_info", &["fields", "message"]),
    ("reply", &["message"]),
    ("add_note", &["text"]),
    ("set_status", &["status", "resolution_code"]),
    ("submit", &[]),
];

/// What was wrong with an action; shown in the next observation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ActionError {
    pub message: String,
    /// The field at fault, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The values that field allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// The allowed value closest to what was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl ActionError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            field: None,
            allowed: None,
            suggestion: None,
        }
    }
}

/// An action checked against the domain: vocabulary values as indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Checked {
    Classify {
        queue: Option<u16>,
        priority: Option<u16>,
        issue_type: Option<u16>,
    },
    RequestInfo {
        fields: Vec<u16>,
        /// What the customer is told (customer-facing, so graded).
        message: Option<String>,
    },
    Reply(String),
    AddNote(String),
    SetStatus {
        status: u16,
        resolution: Option<u16>,
    },
    Submit,
}

impl Checked {
    /// The text the action carries, if any (a reply, a note, a request
    /// message).
    pub fn text(&self) -> Option<&str> {
        match self {
            Checked::Reply(t) | Checked::AddNote(t) => Some(t),
            Checked::RequestInfo { message, .. } => message.as_deref(),
            _ => None,
        }
    }

    /// The field that carries [`Checked::text`].
    pub fn text_field(&self) -> &'static str {
        match self {
            Checked::AddNote(_) => "text",
            _ => "message",
        }
    }
}

/// Parses and checks one JSON action.
pub fn parse(value: &Value, domain: &DomainSpec) -> Result<Checked, ActionError> {
    let Some(object) = value.as_object() else {
        return Err(ActionError::new(format!(
            "an action is a JSON object with an `action_type`, not {}",
            json_kind(value)
        )));
    };
    let Some(action_type) = object.get("action_type") else {
        let mut e = ActionError::new("the action has no `action_type`");
        e.field = Some("action_type".into());
        e.allowed = Some(ACTION_TYPES.iter().map(|s| s.to_string()).collect());
        return Err(e);
    };
    let Some(action_type) = action_type.as_str() else {
        let mut e = ActionError::new(format!(
            "`action_type` must be a string, not {}",
            json_kind(action_type)
        ));
        e.field = Some("action_type".into());
        e.allowed = Some(ACTION_TYPES.iter().map(|s| s.to_string()).collect());
        return Err(e);
    };
    let fields = Fields {
        object,
        action_type,
    };
    match action_type {
        "classify" => {
            fields.only()?;
            let queue = fields.optional_value("queue", &domain.queues)?;
            let priority = fields.optional_value("priority", &domain.priorities)?;
            let issue_type = fields.optional_value("issue_type", &domain.issue_types)?;
            if queue.is_none() && priority.is_none() && issue_type.is_none() {
                return Err(ActionError::new(
                    "`classify` needs at least one of `queue`, `priority`, `issue_type`",
                ));
            }
            Ok(Checked::Classify {
                queue,
                priority,
                issue_type,
            })
        }
        "request_info" => {
            fields.only()?;
            let message = fields
                .optional_text("message")?
                .filter(|m| !m.trim().is_empty());
            let Some(list) = object.get("fields") else {
                return Err(fields.missing("fields", "a list of field names"));
            };
            let Some(list) = list.as_array() else {
                return Err(fields.wrong_type("fields", "a list of field names", list));
            };
            if list.is_empty() {
                let mut e = ActionError::new("`request_info` needs at least one field in `fields`");
                e.field = Some("fields".into());
                e.allowed = Some(domain.fields.clone());
                return Err(e);
            }
            let mut out = Vec::with_capacity(list.len());
            for item in list {
                let Some(name) = item.as_str() else {
                    return Err(fields.wrong_type("fields", "a list of field names", item));
                };
                let index = lookup("fields", name, &domain.fields)?;
                if !out.contains(&index) {
                    out.push(index);
                }
            }
            Ok(Checked::RequestInfo {
                fields: out,
                message,
            })
        }
        "reply" => {
            fields.only()?;
            Ok(Checked::Reply(fields.required_text("message")?))
        }
        "add_note" => {
            fields.only()?;
            Ok(Checked::AddNote(fields.required_text("text")?))
        }
        "set_status" => {
            fields.only()?;
            let Some(status) = fields.optional_value("status", &domain.statuses)? else {
                return Err(fields.missing("status", "a status"));
            };
            let resolution = fields.optional_value("resolution_code", &domain.resolution_codes)?;
            Ok(Checked::SetStatus { status, resolution })
        }
        "submit" => {
            fields.only()?;
            Ok(Checked::Submit)
        }
        other => {
            let mut e = ActionError::new(format!("unknown action_type `{}`", excerpt(other)));
            e.field = Some("action_type".into());
            e.allowed = Some(ACTION_TYPES.iter().map(|s| s.to_string()).collect());
            e.suggestion = suggest::closest(other, ACTION_TYPES).map(str::to_owned);
            if let Some(s) = &e.suggestion {
                e.message.push_str(&format!("; did you mean `{s}`?"));
            }
            Err(e)
        }
    }
}

struct Fields<'a> {
    object: &'a Map<String, Value>,
    action_type: &'a str,
}

impl Fields<'_> {
    /// Rejects fields the action does not take.
    /// Refuses a field the action type does not take.
    fn only(&self) -> Result<(), ActionError> {
        let allowed: &[&str] = FIELDS
            .iter()
            .find(|(t, _)| *t == self.action_type)
            .map_or(&[], |(_, fields)| fields);
        for key in self.object.keys() {
            if key != "action_type" && !allowed.contains(&key.as_str()) {
                let takes = if allowed.is_empty() {
                    "no other field".to_owned()
                } else {
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                // A field of another action type (`message` in an
                // `add_note`): say whose it is, and with one field to take
                // instead, suggest it.
                let owners: Vec<String> = FIELDS
                    .iter()
                    .filter(|(t, fields)| *t != self.action_type && fields.contains(&key.as_str()))
                    .map(|(t, _)| format!("`{t}`"))
                    .collect();
                let mut message = format!(
                    "`{}` does not take `{}`; it takes {takes}",
                    self.action_type,
                    excerpt(key)
                );
                if !owners.is_empty() {
                    message.push_str(&format!(" (`{key}` is a field of {})", owners.join(", ")));
                }
                let mut e = ActionError::new(message);
                e.field = Some(excerpt(key).into_owned());
                let only = match allowed {
                    [only] if !owners.is_empty() => Some(*only),
                    _ => None,
                };
                e.suggestion = suggest::closest(key, allowed.iter().copied())
                    .or(only)
                    .map(str::to_owned);
                return Err(e);
            }
        }
        Ok(())
    }

    fn missing(&self, field: &str, what: &str) -> ActionError {
        let mut e = ActionError::new(format!("`{}` needs `{field}` ({what})", self.action_type));
        e.field = Some(field.into());
        e
    }

    fn wrong_type(&self, field: &str, what: &str, value: &Value) -> ActionError {
        let mut e = ActionError::new(format!(
            "`{field}` must be {what}, not {}",
            json_kind(value)
        ));
        e.field = Some(field.into());
        e
    }

    fn optional_text(&self, field: &str) -> Result<Option<String>, ActionError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong_type(field, "a text", other)),
        }
    }

    fn required_text(&self, field: &str) -> Result<String, ActionError> {
        match self.optional_text(field)? {
            None => Err(self.missing(field, "a text")),
            Some(s) if s.trim().is_empty() => {
                let mut e = ActionError::new(format!("`{field}` is empty"));
                e.field = Some(field.into());
                Err(e)
            }
            Some(s) => Ok(s),
        }
    }

    fn optional_value(&self, field: &str, allowed: &[String]) -> Result<Option<u16>, ActionError> {
        match self.object.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => lookup(field, s, allowed).map(Some),
            Some(other) => {
                let mut e = self.wrong_type(field, "a text", other);
                e.allowed = Some(allowed.to_vec());
                Err(e)
            }
        }
    }
}

/// The index of a vocabulary value, or an error listing the allowed ones.
fn lookup(field: &str, value: &str, allowed: &[String]) -> Result<u16, ActionError> {
    if let Some(i) = allowed.iter().position(|a| a == value) {
        return Ok(i as u16);
    }
    let suggestion = suggest::closest(value, allowed.iter().map(String::as_str)).map(str::to_owned);
    let mut message = format!(
        "`{}` is not an allowed `{field}` value; allowed: {}",
        excerpt(value),
        allowed.join(", ")
    );
    if let Some(s) = &suggestion {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    Err(ActionError {
        message,
        field: Some(field.into()),
        allowed: Some(allowed.to_vec()),
        suggestion,
    })
}

#[cfg(test)]
mod fields_tests {
    /// The table of fields is the `Action` type's: read from its schema.
    #[test]
    fn fields_are_the_action_types() {
        let schema = serde_json::to_value(schemars::schema_for!(super::Action)).unwrap();
        let variants = schema["oneOf"]
            .as_array()
            .expect("one schema per action type");
        assert_eq!(variants.len(), super::FIELDS.len());
        for variant in variants {
            let props = variant["properties"].as_object().expect("properties");
            let action_type = props["action_type"]["const"].as_str().expect("a tag");
            let mut fields: Vec<&str> = props
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "action_type")
                .collect();
            fields.sort_unstable();
            let (_, table) = super::FIELDS
                .iter()
                .find(|(t, _)| *t == action_type)
                .expect("in the table");
            let mut table = table.to_vec();
            table.sort_unstable();
            assert_eq!(fields, table, "{action_type}");
        }
    }
}
