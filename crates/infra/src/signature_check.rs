//! Checking the manifest.sig of an uploaded archive against the keys this instance trusts
//! (docs/ARCHIVE_FORMAT.md §4.4 and §4.5).

use jsonwebtoken::Algorithm;
use mesdonnees_shared::imports::{SignatureCheck, SignatureStatus};
use sha2::{Digest, Sha256};

use crate::config::TrustedKey;
use crate::signing::{InstanceSigner, key_id, verify_manifest_with};

/// A key the signature may have been made with.
struct Candidate {
    instance: String,
    public_key: Vec<u8>,
    /// Only a configured key is bound to an instance name: this instance's own key proves its
    /// own archives whatever the instance was called when it signed them.
    bound_to_name: bool,
}

/// Whether `signature` (the bytes of manifest.sig, `None` when the archive has none) was made
/// by a trusted key over `manifest_bytes` (the exact bytes of manifest.json) for `archive_id`.
///
/// The JWS header's `kid` picks the key among this instance's own and `trusted`; the signature
/// is `valid` only when it verifies with that key, its claims carry this archive id and the
/// manifest's SHA-256, and, for a configured key, its `iss` is the instance the key is configured
/// for. The manifest's `source` is covered by the hash; comparing it with the result's
/// `instance` and `key_id` is left to the caller, which has parsed the manifest.
pub fn check_manifest_signature(
    manifest_bytes: &[u8],
    signature: Option<&[u8]>,
    archive_id: &str,
    own: Option<&InstanceSigner>,
    trusted: &[TrustedKey],
) -> SignatureCheck {
    let Some(signature) = signature else { return SignatureCheck::unsigned() };
    let check = |status, instance: Option<&str>, key_id: Option<&str>| SignatureCheck {
        status,
        instance: instance.map(str::to_owned),
        key_id: key_id.map(str::to_owned),
    };
    // The format allows a final line break after the JWS.
    let Some(jws) = std::str::from_utf8(signature).ok().map(|s| s.trim_end_matches(['\r', '\n']))
    else {
        return check(SignatureStatus::Invalid, None, None);
    };
    let Ok(header) = jsonwebtoken::decode_header(jws) else {
        return check(SignatureStatus::Invalid, None, None);
    };
    let kid = header.kid.as_deref();
    let Some(kid) = kid.filter(|_| header.alg == Algorithm::EdDSA) else {
        return check(SignatureStatus::Invalid, None, kid);
    };
    let candidates: Vec<Candidate> =
        candidates(own, trusted).filter(|c| key_id(&c.public_key) == kid).collect();
    let Some(first) = candidates.first() else {
        return check(SignatureStatus::Untrusted, None, Some(kid));
    };
    let manifest_sha256 = hex::encode(Sha256::digest(manifest_bytes));
    let signed_by = candidates.iter().find(|c| {
        verify_manifest_with(&c.public_key, jws).is_ok_and(|claims| {
            claims.archive_id == archive_id
                && claims.manifest_sha256.eq_ignore_ascii_case(&manifest_sha256)
                && (!c.bound_to_name || claims.iss == c.instance)
        })
    });
    match signed_by {
        Some(c) => check(SignatureStatus::Valid, Some(&c.instance), Some(kid)),
        None => check(SignatureStatus::Invalid, Some(&first.instance), Some(kid)),
    }
}

fn candidates<'a>(
    own: Option<&'a InstanceSigner>,
    trusted: &'a [TrustedKey],
) -> impl Iterator<Item = Candidate> + 'a {
    let own = own.map(|signer| Candidate {
        instance: signer.instance().to_owned(),
        public_key: signer.public_key().to_vec(),
        bound_to_name: false,
    });
    let configured = trusted.iter().filter_map(|key| {
        Some(Candidate {
            instance: key.instance.clone(),
            public_key: key.key_bytes()?.to_vec(),
            bound_to_name: true,
        })
    });
    own.into_iter().chain(configured)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::generate_key;

    const MANIFEST: &[u8] = br#"{"format": "mesdonnees-archive", "archive_id": "archive-1"}"#;

    fn signer(instance: &str) -> InstanceSigner {
        let key = generate_key().expect("key");
        InstanceSigner::from_pkcs8(&key.pkcs8, instance).expect("signer")
    }

    fn trusting(signer: &InstanceSigner, as_instance: &str) -> TrustedKey {
        TrustedKey::pasted(as_instance, &signer.public_key_base64())
    }

    fn sign(signer: &InstanceSigner, archive_id: &str, manifest: &[u8]) -> Vec<u8> {
        let sha = hex::encode(Sha256::digest(manifest));
        signer.sign_manifest(archive_id, &sha).expect("sign").into_bytes()
    }

    /// Status, instance and key id of a check.
    type Seen<'a> = (SignatureStatus, Option<&'a str>, Option<&'a str>);

    fn status_of(check: &SignatureCheck) -> Seen<'_> {
        (check.status, check.instance.as_deref(), check.key_id.as_deref())
    }

    #[test]
    fn verdicts() {
        use SignatureStatus::{Invalid, Untrusted, Valid};
        let ours = signer("ent-a");
        let theirs = signer("ent-b");
        let stranger = signer("ent-c");
        let trusted = [trusting(&theirs, "ent-b")];
        let check =
            |sig: &[u8], archive_id: &str, manifest: &[u8], own: Option<&InstanceSigner>| {
                check_manifest_signature(manifest, Some(sig), archive_id, own, &trusted)
            };
        let mut tampered = MANIFEST.to_vec();
        tampered[2] = b'F';
        let (a, b, c) = (Some(ours.key_id()), Some(theirs.key_id()), Some(stranger.key_id()));

        let own = sign(&ours, "archive-1", MANIFEST);
        let other = sign(&theirs, "archive-1", MANIFEST);
        let unknown = sign(&stranger, "archive-1", MANIFEST);
        let cases: [(&str, SignatureCheck, Seen<'_>); 9] = [
            ("own key", check(&own, "archive-1", MANIFEST, Some(&ours)), (Valid, Some("ent-a"), a)),
            (
                "trusted key",
                check(&other, "archive-1", MANIFEST, Some(&ours)),
                (Valid, Some("ent-b"), b),
            ),
            (
                "trusted key, no own",
                check(&other, "archive-1", MANIFEST, None),
                (Valid, Some("ent-b"), b),
            ),
            (
                "unknown key",
                check(&unknown, "archive-1", MANIFEST, Some(&ours)),
                (Untrusted, None, c),
            ),
            ("own key unknown", check(&own, "archive-1", MANIFEST, None), (Untrusted, None, a)),
            (
                "tampered manifest",
                check(&own, "archive-1", &tampered, Some(&ours)),
                (Invalid, Some("ent-a"), a),
            ),
            (
                "other archive",
                check(&other, "archive-2", MANIFEST, Some(&ours)),
                (Invalid, Some("ent-b"), b),
            ),
            (
                "tampered, trusted",
                check(&other, "archive-1", &tampered, None),
                (Invalid, Some("ent-b"), b),
            ),
            (
                "line break after the JWS",
                check(&[own.as_slice(), b"\r\n"].concat(), "archive-1", MANIFEST, Some(&ours)),
                (Valid, Some("ent-a"), a),
            ),
        ];
        for (what, got, expected) in &cases {
            assert_eq!(status_of(got), *expected, "{what}");
        }
    }

    #[test]
    fn a_trusted_key_speaks_only_for_its_instance() {
        let theirs = signer("ent-b");
        let signature = sign(&theirs, "archive-1", MANIFEST);
        let misnamed = [trusting(&theirs, "ent-z")];
        let got =
            check_manifest_signature(MANIFEST, Some(&signature), "archive-1", None, &misnamed);
        assert_eq!(got.status, SignatureStatus::Invalid);
        // The same key listed under both names: the right one is found.
        let both = [trusting(&theirs, "ent-z"), trusting(&theirs, "ent-b")];
        let got = check_manifest_signature(MANIFEST, Some(&signature), "archive-1", None, &both);
        assert_eq!(status_of(&got), (SignatureStatus::Valid, Some("ent-b"), Some(theirs.key_id())));
    }

    #[test]
    fn an_instance_trusts_its_archives_after_a_rename() {
        let key = generate_key().expect("key");
        let before = InstanceSigner::from_pkcs8(&key.pkcs8, "old-name").expect("signer");
        let after = InstanceSigner::from_pkcs8(&key.pkcs8, "new-name").expect("signer");
        let signature = sign(&before, "archive-1", MANIFEST);
        let got =
            check_manifest_signature(MANIFEST, Some(&signature), "archive-1", Some(&after), &[]);
        assert_eq!(got.status, SignatureStatus::Valid);
    }

    #[test]
    fn absent_or_malformed_signatures() {
        let ours = signer("ent-a");
        let check = |sig: Option<&[u8]>| {
            check_manifest_signature(MANIFEST, sig, "archive-1", Some(&ours), &[]).status
        };
        assert_eq!(check(None), SignatureStatus::Unsigned);
        assert_eq!(check(Some(b"")), SignatureStatus::Invalid);
        assert_eq!(check(Some(b"garbage")), SignatureStatus::Invalid);
        assert_eq!(check(Some(b"a.b.c")), SignatureStatus::Invalid);
        assert_eq!(check(Some(&[0xff, 0xfe, b'.', b'.'])), SignatureStatus::Invalid);

        // A well-formed token with another algorithm, naming our key.
        let header = jsonwebtoken::Header {
            kid: Some(ours.key_id().to_owned()),
            ..jsonwebtoken::Header::new(Algorithm::HS256)
        };
        let claims = serde_json::json!({"iss": "ent-a", "archive_id": "archive-1",
            "manifest_sha256": hex::encode(Sha256::digest(MANIFEST)), "iat": 0});
        let secret = jsonwebtoken::EncodingKey::from_secret(&[7; 32]);
        let hs256 = jsonwebtoken::encode(&header, &claims, &secret).expect("encode");
        let got = check_manifest_signature(
            MANIFEST,
            Some(hs256.as_bytes()),
            "archive-1",
            Some(&ours),
            &[],
        );
        assert_eq!(status_of(&got), (SignatureStatus::Invalid, None, Some(ours.key_id())));

        // Our key id, but no signature of ours.
        let mut forged = String::from_utf8(sign(&ours, "archive-1", MANIFEST)).expect("ascii");
        let cut = forged.rfind('.').expect("three parts") + 1;
        forged.replace_range(cut.., &"A".repeat(86));
        assert_eq!(check(Some(forged.as_bytes())), SignatureStatus::Invalid);
    }

    /// JSON text without the whitespace between tokens (the order of members kept).
    fn compact_json(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let (mut in_string, mut escaped) = (false, false);
        for c in text.chars() {
            if in_string {
                out.push(c);
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else if !c.is_whitespace() {
                in_string = c == '"';
                out.push(c);
            }
        }
        out
    }

    /// The example of docs/ARCHIVE_FORMAT.md (§3.4 manifest, §4.3 signature and public test key)
    /// verifies: what the specification promises another writer is what this reader checks.
    #[test]
    fn the_specification_example_verifies() {
        let spec = include_str!("../../../docs/ARCHIVE_FORMAT.md");
        let block_after = |marker: &str, fence: &str| {
            let from = spec.find(marker).expect("marker") + marker.len();
            let start = spec[from..].find(fence).expect("fence") + from + fence.len();
            let end = spec[start..].find("\n```").expect("closing fence") + start;
            spec[start..end].to_owned()
        };
        // The example is indented for reading; the file holds it as compact JSON, members in
        // the same order.
        let manifest = compact_json(&block_after("### 3.4 Example", "```json\n"));
        let signature = block_after("The complete `manifest.sig`", "```\n");
        assert_eq!(manifest.len(), 1_331, "the example manifest is taken whole");
        let trusted = [TrustedKey::pasted(
            "ent.lycee-exemple.fr",
            "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=",
        )];
        let archive_id = "0193b4c2-9e51-7a08-b6d3-1f2e3d4c5b6a";
        let got = check_manifest_signature(
            manifest.as_bytes(),
            Some(signature.as_bytes()),
            archive_id,
            None,
            &trusted,
        );
        let expected =
            (SignatureStatus::Valid, Some("ent.lycee-exemple.fr"), Some("56475aa75463474c"));
        assert_eq!(status_of(&got), expected);
        let untrusted = check_manifest_signature(
            manifest.as_bytes(),
            Some(signature.as_bytes()),
            archive_id,
            None,
            &[],
        );
        assert_eq!(untrusted.status, SignatureStatus::Untrusted);
    }
}
