//! docker-compose.yml and the Dockerfile describe the production shape; these tests keep them in
//! step with the binary's roles and configuration keys. They read the files as data: no docker.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

const COMPOSE_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml");
const DOCKERFILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../Dockerfile");

/// The services that run the `mesdonnees` image.
const APP_SERVICES: [&str; 3] = ["migrate", "api", "worker"];

/// A key left out falls back to an embedded default (SQLite, local files, in-process queue):
/// the stack would come up healthy and quietly keep its data in one container.
const REQUIRED_ENV: [&str; 16] = [
    "MESDONNEES__MODE",
    "MESDONNEES__DATABASE__URL",
    "MESDONNEES__DATABASE__RUN_MIGRATIONS",
    "MESDONNEES__QUEUE__REDIS_URL",
    "MESDONNEES__STORAGE__URL",
    "MESDONNEES__STORAGE__S3_ENDPOINT",
    "MESDONNEES__STORAGE__S3_REGION",
    "MESDONNEES__STORAGE__S3_ACCESS_KEY_ID",
    "MESDONNEES__STORAGE__S3_SECRET_ACCESS_KEY",
    "MESDONNEES__STORAGE__S3_ALLOW_HTTP",
    "MESDONNEES__STORAGE__S3_PATH_STYLE",
    "MESDONNEES__STORAGE__S3_PRESIGNED_LINKS",
    "MESDONNEES__AUTH__HS256_SECRET",
    "MESDONNEES__AUTH__ISSUER",
    "MESDONNEES__AUTH__AUDIENCE",
    "MESDONNEES__LOG__FORMAT",
];

fn compose() -> Value {
    let text = std::fs::read_to_string(COMPOSE_FILE)
        .unwrap_or_else(|e| panic!("cannot read {COMPOSE_FILE}: {e}"));
    let mut value: Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("{COMPOSE_FILE} is not valid YAML: {e}"));
    // serde_yaml_ng expands `*alias` but keeps `<<` as an ordinary key; docker compose merges it.
    value.apply_merge().unwrap_or_else(|e| panic!("{COMPOSE_FILE}: bad `<<` merge: {e}"));
    value
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    compose
        .get("services")
        .and_then(|services| services.get(name))
        .unwrap_or_else(|| panic!("docker-compose.yml has no service `{name}`"))
}

/// Compose scalars may be strings, numbers or booleans; compose passes them on as text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// `environment:` as a map, whichever of its two spellings (map or `KEY=VALUE` list) is used.
/// A bare `KEY` (taken from the host) maps to an empty value.
fn environment(service: &Value, name: &str) -> BTreeMap<String, String> {
    match service.get("environment") {
        None => BTreeMap::new(),
        Some(Value::Mapping(map)) => map
            .iter()
            .map(|(key, value)| {
                let key = key
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: environment key {key:?} is not a string"));
                let value = scalar_text(value).unwrap_or_else(|| {
                    panic!("{name}: environment value of {key} is not a scalar: {value:?}")
                });
                (key.to_owned(), value)
            })
            .collect(),
        Some(Value::Sequence(items)) => items
            .iter()
            .map(|item| {
                let item = item.as_str().unwrap_or_else(|| {
                    panic!("{name}: environment entry {item:?} is not a string")
                });
                let (key, value) = item.split_once('=').unwrap_or((item, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect(),
        Some(other) => panic!("{name}: environment is neither a map nor a list: {other:?}"),
    }
}

/// The condition `service` waits for on `dependency`, if it depends on it at all.
/// The short list form means `service_started`.
fn dependency_condition(service: &Value, dependency: &str) -> Option<String> {
    match service.get("depends_on")? {
        Value::Sequence(items) => items
            .iter()
            .any(|item| item.as_str() == Some(dependency))
            .then(|| "service_started".to_owned()),
        Value::Mapping(map) => {
            let entry = map.get(dependency)?;
            Some(
                entry
                    .get("condition")
                    .and_then(Value::as_str)
                    .unwrap_or("service_started")
                    .to_owned(),
            )
        }
        _ => None,
    }
}

#[test]
fn compose_has_every_service_and_the_health_checks_ordering_relies_on() {
    let compose = compose();
    for name in ["postgres", "redis", "minio", "minio-init", "migrate", "api", "worker"] {
        service(&compose, name);
    }
    // `service_healthy` conditions on these would otherwise never be met.
    for name in ["postgres", "redis", "minio", "api"] {
        let check = service(&compose, name).get("healthcheck");
        assert!(
            check.is_some_and(|c| c.get("test").is_some()),
            "service `{name}` needs a healthcheck with a `test`, found {check:?}"
        );
    }
}

#[test]
fn compose_runs_two_workers() {
    let compose = compose();
    let replicas = service(&compose, "worker")
        .get("deploy")
        .and_then(|deploy| deploy.get("replicas"))
        .and_then(Value::as_u64);
    assert_eq!(
        replicas,
        Some(2),
        "worker should have deploy.replicas: 2, so that jobs survive one worker's loss"
    );
}

#[test]
fn compose_configures_every_app_service_for_production() {
    let compose = compose();
    for name in APP_SERVICES {
        let env = environment(service(&compose, name), name);
        let missing: Vec<&str> =
            REQUIRED_ENV.iter().copied().filter(|key| !env.contains_key(*key)).collect();
        assert!(
            missing.is_empty(),
            "service `{name}` lacks {missing:?} in its environment (after `<<` merges)"
        );
        let get = |key: &str| env[key].as_str();
        assert_eq!(get("MESDONNEES__MODE"), "production", "service `{name}`: MESDONNEES__MODE");
        for (key, prefix) in [
            ("MESDONNEES__DATABASE__URL", "postgres://"),
            ("MESDONNEES__QUEUE__REDIS_URL", "redis://"),
            ("MESDONNEES__STORAGE__URL", "s3://"),
        ] {
            assert!(
                get(key).starts_with(prefix),
                "service `{name}`: {key} should start with {prefix}, is {:?}",
                get(key)
            );
        }
    }
}

/// A compose value as compose would pass it: `${VAR:-default}` gives its default, any other
/// `${VAR…}` a stand-in long enough for a secret.
fn interpolated(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e).expect("a closed ${…}");
        let inner = &rest[start + 2..end];
        match inner.split_once(":-") {
            Some((_, default)) => out.push_str(default),
            None => out.push_str("stand-in-secret-of-forty-bytes-0123456789"),
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn compose_declares_the_reference_app_where_it_listens_with_the_secrets_it_checks() {
    use figment::providers::Serialized;
    let compose = compose();
    let api = environment(service(&compose, "api"), "api");
    let worker = environment(service(&compose, "worker"), "worker");
    let cahier = environment(service(&compose, "cahier"), "cahier");
    assert_eq!(
        api.get("MESDONNEES__APPS"),
        worker.get("MESDONNEES__APPS"),
        "api and workers see one catalogue"
    );
    // The value goes through the configuration's own parsing, as the environment would.
    let apps: figment::value::Value =
        interpolated(&api["MESDONNEES__APPS"]).parse().expect("MESDONNEES__APPS parses");
    let figment = mesdonnees_infra::Config::figment(None).merge(Serialized::default("apps", apps));
    let config = mesdonnees_infra::Config::from_figment(&figment)
        .unwrap_or_else(|e| panic!("MESDONNEES__APPS is not a valid catalogue: {e}"));
    let declared = config.apps.iter().find(|a| a.id == "cahier").expect("cahier is declared");
    let url = url::Url::parse(&declared.base_url).expect("a URL");
    let port = cahier["CAHIER_BIND"].rsplit_once(':').map(|(_, p)| p.to_owned());
    assert_eq!(url.host_str(), Some("cahier"), "the app is reached by its service name");
    assert_eq!(url.port().map(|p| p.to_string()), port, "on the port it binds");
    assert_eq!(url.path(), "/connector");
    // Same variables on both sides: the service tokens and the users' tokens verify.
    let secret_of = |text: &str| {
        text.split("${").nth(1).and_then(|s| s.split([':', '}']).next()).map(str::to_owned)
    };
    assert_eq!(secret_of(&api["MESDONNEES__APPS"]), secret_of(&cahier["CAHIER_SERVICE_SECRET"]));
    assert_eq!(
        secret_of(&api["MESDONNEES__AUTH__HS256_SECRET"]),
        secret_of(&cahier["CAHIER_USER_TOKEN_SECRET"])
    );
    assert_eq!(
        interpolated(&api["MESDONNEES__AUTH__ISSUER"]),
        interpolated(&cahier["CAHIER_USER_TOKEN_ISSUER"])
    );
    // One store: the app names keys mesdonnees reads.
    assert_eq!(api["MESDONNEES__STORAGE__URL"], cahier["CAHIER_STORAGE_URL"]);
    assert_eq!(api["MESDONNEES__STORAGE__S3_ENDPOINT"], cahier["CAHIER_S3_ENDPOINT"]);
    assert_eq!(declared.object_prefix(), "cahier/");
    let healthcheck = service(&compose, "cahier").get("healthcheck").expect("a health check");
    assert!(format!("{healthcheck:?}").contains("/healthz"), "{healthcheck:?}");
}

#[test]
fn compose_starts_the_api_after_migrations_on_a_healthy_database() {
    let compose = compose();
    let api = service(&compose, "api");
    for (dependency, expected) in
        [("migrate", "service_completed_successfully"), ("postgres", "service_healthy")]
    {
        assert_eq!(
            dependency_condition(api, dependency).as_deref(),
            Some(expected),
            "api should depend on `{dependency}` with condition {expected}"
        );
    }
}

/// Instructions of a Dockerfile as (upper-cased keyword, arguments), comments and blank lines
/// dropped and `\` continuations joined. Heredocs are not understood; the Dockerfile has none.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        let (keyword, args) = full.split_once(char::is_whitespace).unwrap_or((&full, ""));
        out.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
    }
    out
}

/// The program an ENTRYPOINT starts: first element of the exec form (a JSON array, hence
/// also YAML), or first word of the shell form.
fn entrypoint_program(args: &str) -> String {
    if args.starts_with('[') {
        let form: Value = serde_yaml_ng::from_str(args)
            .unwrap_or_else(|e| panic!("ENTRYPOINT {args} is not a JSON array: {e}"));
        form.get(0)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("ENTRYPOINT {args} is empty"))
            .to_owned()
    } else {
        args.split_whitespace().next().unwrap_or_default().to_owned()
    }
}

#[test]
fn dockerfile_builds_in_one_stage_and_runs_mesdonnees_in_another() {
    let text = std::fs::read_to_string(DOCKERFILE)
        .unwrap_or_else(|e| panic!("cannot read {DOCKERFILE}: {e}"));
    let instructions = instructions(&text);
    let stages: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, (keyword, _))| keyword == "FROM")
        .map(|(i, _)| i)
        .collect();
    assert!(
        stages.len() >= 2,
        "Dockerfile should be multi-stage (a builder and a slim runtime), has {} FROM",
        stages.len()
    );
    let final_stage = &instructions[stages[stages.len() - 1]..];
    let last = |wanted: &str| {
        final_stage
            .iter()
            .rev()
            .find(|(keyword, _)| keyword == wanted)
            .map(|(_, args)| args.as_str())
    };
    let entrypoint =
        last("ENTRYPOINT").expect("the final stage of the Dockerfile sets an ENTRYPOINT");
    let program = entrypoint_program(entrypoint);
    assert!(
        program == "mesdonnees" || program.ends_with("/mesdonnees"),
        "the final stage's ENTRYPOINT should run mesdonnees, runs {program:?}"
    );
    // Compose and orchestrators run the image as it is: it must not default to root.
    let user = last("USER").expect("the final stage of the Dockerfile sets a USER");
    let user = user.split(':').next().unwrap_or_default();
    assert!(
        user != "root" && user != "0",
        "the final stage should run as a non-root user, runs as {user:?}"
    );
}
