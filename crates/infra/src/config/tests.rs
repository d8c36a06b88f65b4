//! Loading: the layers' order, refused keys and values, and each section's reading.
#![expect(clippy::result_large_err, reason = "figment::Jail fixes the closure's error type")]

use std::net::SocketAddr;

use mesdonnees_shared::imports::SignaturePolicy;

use super::*;

#[test]
fn defaults_point_at_the_data_folder() {
    let figment = Figment::from(Serialized::defaults(Config::default()))
        .merge(Serialized::default("data_dir", "/tmp/md"));
    let config = Config::from_figment(&figment).expect("valid");
    assert_eq!(config.database.url, "sqlite:///tmp/md/mesdonnees.db");
    assert_eq!(config.storage.url, "file:///tmp/md/objects");
    assert!(!config.uses_redis());
    assert_eq!(config.mode, Mode::Development);
}

#[test]
fn layers_apply_in_order() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "md.toml",
            "mode = \"production\"\n[database]\nurl = \"postgres://file/db\"\npool_size = 3\n",
        )?;
        jail.set_env("MESDONNEES__DATABASE__URL", "postgres://env/db");
        jail.set_env("MESDONNEES__QUEUE__REDIS_URL", "redis://127.0.0.1:6379");
        let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
            .map_err(|e| e.to_string())?;
        assert_eq!(config.mode, Mode::Production);
        assert_eq!(config.database.url, "postgres://env/db");
        assert_eq!(config.database.pool_size, 3);
        assert!(config.uses_redis());
        Ok(())
    });
}

#[test]
fn unknown_keys_and_bad_values_are_refused() {
    for (key, value) in [
        ("MESDONNEES__DATABASE__NOPE", "1"),
        ("MESDONNEES__QUEUE__MAX_CONCURRENT_JOBS", "0"),
        ("MESDONNEES__LIMITS__CREATIONS_PER_MINUTE", "0"),
        // The key's name before `queue.max_concurrent_jobs` is refused, not ignored.
        ("MESDONNEES__QUEUE__CONCURRENCY", "2"),
        ("MESDONNEES__METRICS__TOKEN", "short"),
    ] {
        figment::Jail::expect_with(|jail| {
            jail.set_env(key, value);
            assert!(Config::from_figment(&Config::figment(None)).is_err(), "{key}={value}");
            Ok(())
        });
    }
}

#[test]
fn remote_apps_and_connector_settings_come_from_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.set_env(
            "MESDONNEES__APPS",
            r#"[{id = "cahier", display_name = "Cahier de textes", display_names = {en = "Homework book"}, version = "1.2", create_right = "cahier.create", base_url = "http://cahier:8090/connector", token_secret = "0123456789abcdef0123456789abcdef"}]"#,
        );
        jail.set_env("MESDONNEES__CONNECTORS__MAX_RETRIES", "1");
        let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
        let app = &config.apps[0];
        assert_eq!((app.id.as_str(), app.version.to_string()), ("cahier", "1.2".to_owned()));
        assert_eq!(app.display_names["en"], "Homework book");
        assert_eq!(app.object_prefix(), "cahier/");
        assert_eq!(config.connectors.max_retries, 1);
        assert_eq!(config.connectors.export_deadline_secs, 900);
        jail.set_env("MESDONNEES__CONNECTORS__MAX_RETRIES", "11");
        assert!(Config::from_figment(&Config::figment(None)).is_err());
        Ok(())
    });
}

#[test]
fn metrics_and_shutdown_settings() {
    figment::Jail::expect_with(|jail| {
        let defaults = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
        assert_eq!((defaults.metrics.bind, defaults.metrics.token), (None, None));
        assert_eq!(defaults.queue.shutdown_grace_secs, 20);
        assert_eq!(defaults.queue.max_concurrent_jobs, 4);
        assert_eq!(defaults.limits.creations_per_minute, 10);
        jail.set_env("MESDONNEES__METRICS__BIND", "127.0.0.1:9464");
        jail.set_env("MESDONNEES__METRICS__TOKEN", "a-scraper-secret-of-some-length");
        jail.set_env("MESDONNEES__QUEUE__SHUTDOWN_GRACE_SECS", "0");
        let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
        assert_eq!(config.metrics.bind, Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
        assert_eq!(config.metrics.token.as_deref(), Some("a-scraper-secret-of-some-length"));
        assert_eq!(config.queue.shutdown_grace_secs, 0);
        Ok(())
    });
}

/// The public test key of docs/ARCHIVE_FORMAT.md §4.3.
const EXAMPLE_KEY: &str = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

#[test]
fn imports_defaults() {
    let figment = Figment::from(Serialized::defaults(Config::default()));
    let config = Config::from_figment(&figment).expect("valid");
    let imports = &config.imports;
    assert_eq!(imports.max_upload_bytes, 4 << 30);
    assert_eq!(imports.max_total_uncompressed_bytes, 20 << 30);
    assert_eq!(imports.max_entries, 100_000);
    assert_eq!(imports.signature_policy, SignaturePolicy::Warn);
    assert!(imports.trusted_keys.is_empty());
    assert_eq!(imports.keep_uploads_hours, 48);
}

#[test]
fn trusted_keys_come_from_the_file() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "md.toml",
            &format!(
                "[imports]\nsignature_policy = \"require\"\n\
                 [[imports.trusted_keys]]\ninstance = \"ent.lycee-exemple.fr\"\n\
                 public_key = \"{EXAMPLE_KEY}\"\n"
            ),
        )?;
        jail.set_env("MESDONNEES__IMPORTS__KEEP_UPLOADS_HOURS", "6");
        let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
            .map_err(|e| e.to_string())?;
        assert_eq!(config.imports.signature_policy, SignaturePolicy::Require);
        assert_eq!(config.imports.keep_uploads_hours, 6);
        let [key] = config.imports.trusted_keys.as_slice() else {
            return Err("one trusted key".into());
        };
        assert_eq!(key.instance, "ent.lycee-exemple.fr");
        assert_eq!(key.key_bytes().map(|k| k[0]), Some(0x03));
        Ok(())
    });
}

#[test]
fn trusted_keys_come_from_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.set_env(
            "MESDONNEES__IMPORTS__TRUSTED_KEYS",
            format!("[{{instance=\"ent-b\", public_key=\"{EXAMPLE_KEY}\"}}]"),
        );
        let config = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
        let instances: Vec<&str> =
            config.imports.trusted_keys.iter().map(|k| k.instance.as_str()).collect();
        assert_eq!(instances, ["ent-b"]);
        Ok(())
    });
}

#[test]
fn keys_given_by_address_and_previous_keys_come_from_the_file() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "md.toml",
            &format!(
                "[[exports.previous_keys]]\npublic_key = \"{EXAMPLE_KEY}\"\n\
                 valid_until = \"2026-09-01T00:00:00Z\"\n\
                 [[imports.trusted_keys]]\ninstance = \"ent-b\"\n\
                 keys_url = \"https://ent-b.example/.well-known/mesdonnees/keys\"\n"
            ),
        )?;
        let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
            .map_err(|e| e.to_string())?;
        let [key] = config.imports.trusted_keys.as_slice() else {
            return Err("one trusted key".into());
        };
        assert!(key.keys_url.as_deref().is_some_and(|u| u.starts_with("https://ent-b")));
        let [previous] = config.exports.previous_keys.as_slice() else {
            return Err("one previous key".into());
        };
        assert_eq!(previous.valid_until.to_rfc3339(), "2026-09-01T00:00:00+00:00");
        assert_eq!(previous.valid_from, None);
        Ok(())
    });
}

#[test]
fn bad_import_settings_are_refused() {
    let refused = |toml: &str| {
        figment::Jail::expect_with(|jail| {
            jail.create_file("md.toml", toml)?;
            let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))));
            assert!(config.is_err(), "{toml}");
            Ok(())
        });
    };
    refused("[imports]\nsignature_policy = \"sometimes\"\n");
    refused("[imports]\nmax_entries = 0\n");
    refused("[imports]\nkeep_uploads_hours = 0\n");
    refused("[imports]\nnope = 1\n");
    refused("[[imports.trusted_keys]]\ninstance = \"a\"\npublic_key = \"bm90IGEga2V5\"\n");
    refused(&format!(
        "[[imports.trusted_keys]]\ninstance = \"\"\npublic_key = \"{EXAMPLE_KEY}\"\n"
    ));
    refused(&format!(
        "[[imports.trusted_keys]]\ninstance = \"a\"\npublic_key = \"{EXAMPLE_KEY}\"\nkid = \"x\"\n"
    ));
    // An address is an http(s) one, and stands instead of a key, not with one.
    refused("[[imports.trusted_keys]]\ninstance = \"a\"\nkeys_url = \"ftp://a.example/keys\"\n");
    refused(&format!(
        "[[imports.trusted_keys]]\ninstance = \"a\"\npublic_key = \"{EXAMPLE_KEY}\"\n\
         keys_url = \"https://a.example/keys\"\n"
    ));
    refused(
        "[[exports.previous_keys]]\npublic_key = \"bm90IGEga2V5\"\nvalid_until = \"2026-09-01T00:00:00Z\"\n",
    );
    refused(&format!(
        "[[exports.previous_keys]]\npublic_key = \"{EXAMPLE_KEY}\"\n\
         valid_from = \"2026-09-01T00:00:00Z\"\nvalid_until = \"2026-01-01T00:00:00Z\"\n"
    ));
}

#[test]
fn the_old_document_upload_key_is_refused_with_its_new_name() {
    let renamed = |result: Result<Config, ConfigError>| {
        let message = result.expect_err("the old key is refused").to_string();
        assert!(message.contains("limits.max_upload_bytes"), "{message}");
        assert!(message.contains("documents.max_upload_bytes"), "{message}");
        assert!(message.contains("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES"), "{message}");
    };
    figment::Jail::expect_with(|jail| {
        jail.create_file("md.toml", "[limits]\nmax_upload_bytes = 1024\n")?;
        renamed(Config::from_figment(&Config::figment(Some(Path::new("md.toml")))));
        Ok(())
    });
    figment::Jail::expect_with(|jail| {
        jail.set_env("MESDONNEES__LIMITS__MAX_UPLOAD_BYTES", "1024");
        renamed(Config::from_figment(&Config::figment(None)));
        Ok(())
    });
}

#[test]
fn document_uploads_have_their_own_section() {
    figment::Jail::expect_with(|jail| {
        let defaults = Config::from_figment(&Config::figment(None)).map_err(|e| e.to_string())?;
        assert_eq!(defaults.documents.max_upload_bytes, 1 << 30);
        jail.create_file("md.toml", "[documents]\nmax_upload_bytes = 2048\n")?;
        let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
            .map_err(|e| e.to_string())?;
        assert_eq!(config.documents.max_upload_bytes, 2048);
        jail.set_env("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES", "4096");
        let config = Config::from_figment(&Config::figment(Some(Path::new("md.toml"))))
            .map_err(|e| e.to_string())?;
        assert_eq!(config.documents.max_upload_bytes, 4096);
        jail.set_env("MESDONNEES__DOCUMENTS__MAX_UPLOAD_BYTES", "0");
        assert!(Config::from_figment(&Config::figment(None)).is_err());
        Ok(())
    });
}

#[test]
fn the_ent_address_is_an_absolute_web_address() {
    for (value, accepted) in [
        ("https://ent.example.fr/", true),
        ("http://127.0.0.1:8090/portail", true),
        ("ent.example.fr", false),
        ("javascript:alert(1)", false),
        ("file:///etc/passwd", false),
    ] {
        figment::Jail::expect_with(|jail| {
            jail.set_env("MESDONNEES__HTTP__ENT_URL", value);
            let config = Config::from_figment(&Config::figment(None));
            assert_eq!(config.is_ok(), accepted, "{value}");
            if let Ok(config) = config {
                assert_eq!(config.http.ent_url.as_deref(), Some(value));
            }
            Ok(())
        });
    }
}
