//! The outcome of checking an archive's signature, and what a policy makes of it.

use serde::{Deserialize, Serialize};

use super::Warning;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignatureCheck {
    pub status: SignatureStatus,
    /// The instance whose trusted key the signature names (its configured name, or this
    /// instance's own), when there is one.
    pub instance: Option<String>,
    /// The key id the signature names, when it could be read.
    pub key_id: Option<String>,
}

impl SignatureCheck {
    pub fn unsigned() -> Self {
        Self { status: SignatureStatus::Unsigned, instance: None, key_id: None }
    }

    /// An archive of another platform's format, which no key of ours can vouch for.
    pub fn unverified() -> Self {
        Self { status: SignatureStatus::Unverified, instance: None, key_id: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Signed by a trusted key (this instance's or a configured one), over this very manifest.
    Valid,
    /// No manifest.sig.
    Unsigned,
    /// Signed by a key this instance does not trust.
    Untrusted,
    /// Unreadable, or signed by a trusted key but not over this manifest: altered or corrupt.
    Invalid,
    /// Made by another platform (an entcore ENT), whose archives carry no signature this
    /// service can check, whatever they hold.
    Unverified,
}

/// What an instance does with an archive whose origin is not proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignaturePolicy {
    /// Unsigned and untrusted archives are accepted, with a warning in the analysis.
    Warn,
    /// Only archives signed by a trusted key are accepted.
    Require,
}

/// What a signature check means for the import under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureVerdict {
    Accept,
    /// Accept, and show this warning with the analysis.
    Warn(Warning),
    /// Refuse the archive: the import fails with this code and message.
    Refuse(Warning),
}

impl SignaturePolicy {
    /// An invalid signature is refused under either policy: a trusted key signed something else,
    /// so the manifest was altered or damaged after signing, which is worse than no proof at all.
    pub fn judge(self, check: &SignatureCheck) -> SignatureVerdict {
        let problem = match check.status {
            SignatureStatus::Valid => return SignatureVerdict::Accept,
            SignatureStatus::Invalid => {
                return SignatureVerdict::Refuse(Warning::new(
                    "invalid_signature",
                    "the archive's signature does not match its manifest: it was altered or damaged",
                ));
            }
            SignatureStatus::Unsigned => Warning::new(
                "unsigned_archive",
                "the archive is not signed: where it comes from cannot be proven",
            ),
            SignatureStatus::Untrusted => Warning::new(
                "untrusted_signature",
                format!(
                    "the archive is signed by a key this instance does not trust ({})",
                    check.key_id.as_deref().unwrap_or("no key id")
                ),
            ),
            SignatureStatus::Unverified => Warning::new(
                "unverified_origin",
                "the archive was made by an entcore ENT: neither where it comes from nor its \
                 content can be verified",
            ),
        };
        match self {
            Self::Warn => SignatureVerdict::Warn(problem),
            Self::Require => SignatureVerdict::Refuse(problem),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (policy, status, expected: `None` accepts, `Some((refused, code))` warns or refuses)
    type Case = (SignaturePolicy, SignatureStatus, Option<(bool, &'static str)>);

    #[test]
    fn policy_table() {
        use SignaturePolicy::{Require, Warn};
        use SignatureStatus::{Invalid, Unsigned, Untrusted, Unverified, Valid};
        let cases: &[Case] = &[
            (Warn, Valid, None),
            (Require, Valid, None),
            (Warn, Unsigned, Some((false, "unsigned_archive"))),
            (Require, Unsigned, Some((true, "unsigned_archive"))),
            (Warn, Untrusted, Some((false, "untrusted_signature"))),
            (Require, Untrusted, Some((true, "untrusted_signature"))),
            (Warn, Invalid, Some((true, "invalid_signature"))),
            (Require, Invalid, Some((true, "invalid_signature"))),
            (Warn, Unverified, Some((false, "unverified_origin"))),
            (Require, Unverified, Some((true, "unverified_origin"))),
        ];
        for &(policy, status, expected) in cases {
            let check = SignatureCheck { status, instance: None, key_id: Some("0011".to_owned()) };
            let got = match policy.judge(&check) {
                SignatureVerdict::Accept => None,
                SignatureVerdict::Warn(w) => Some((false, w.code)),
                SignatureVerdict::Refuse(w) => Some((true, w.code)),
            };
            let expected = expected.map(|(refused, code)| (refused, code.to_owned()));
            assert_eq!(got, expected, "{policy:?} on {status:?}");
        }
    }

    #[test]
    fn an_untrusted_key_is_named() {
        let check = SignatureCheck {
            status: SignatureStatus::Untrusted,
            instance: None,
            key_id: Some("56475aa75463474c".to_owned()),
        };
        let SignatureVerdict::Warn(warning) = SignaturePolicy::Warn.judge(&check) else {
            panic!("accepted with a warning")
        };
        assert!(warning.message.contains("56475aa75463474c"), "{}", warning.message);
    }

    #[test]
    fn policy_and_status_names() {
        let policy: SignaturePolicy = serde_json::from_str("\"require\"").expect("parsable");
        assert_eq!(policy, SignaturePolicy::Require);
        let json = serde_json::to_value(SignatureCheck::unsigned()).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({"status": "unsigned", "instance": null, "key_id": null})
        );
    }
}
