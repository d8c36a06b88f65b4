//! The users file of `transfer` and `leavers`: one user a line, blank lines and lines starting
//! with `#` ignored, each user once (the first line wins). `leavers` reads two more columns,
//! separated by a comma, a semicolon or a tab: the user's e-mail address, then a guardian's,
//! written to instead (either may be empty): `alice`, `alice,alice@ecole.test`,
//! `bob;;parent@exemple.test`. A user id holds none of these separators, nor does an address.

use std::collections::HashSet;
use std::path::Path;

use mesdonnees_shared::UserId;
use mesdonnees_shared::exports::valid_email;

use super::OpError;

/// Largest users file read.
const MAX_USERS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserLine {
    pub user: UserId,
    pub email: Option<String>,
    pub guardian_email: Option<String>,
}

/// The users of the file, in its order; `addresses` allows the two address columns.
pub fn read(path: &Path, max: usize, addresses: bool) -> Result<Vec<UserLine>, OpError> {
    let usage = |why: String| OpError::Usage(format!("--users {}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| usage(e.to_string()))?;
    if meta.len() > MAX_USERS_FILE_BYTES {
        return Err(usage(format!("larger than {MAX_USERS_FILE_BYTES} bytes")));
    }
    let raw = std::fs::read_to_string(path).map_err(|e| usage(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    for (number, line) in raw.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed =
            parse(line, addresses).map_err(|why| usage(format!("line {}: {why}", number + 1)))?;
        if seen.insert(parsed.user.to_string()) {
            lines.push(parsed);
        }
        if lines.len() > max {
            return Err(usage(format!("more than {max} users")));
        }
    }
    if lines.is_empty() {
        return Err(usage("no user".to_owned()));
    }
    Ok(lines)
}

fn parse(line: &str, addresses: bool) -> Result<UserLine, String> {
    let mut fields = line.split([',', ';', '\t']).map(str::trim);
    let user = UserId::parse(fields.next().unwrap_or_default())
        .map_err(|_| "not a valid user id".to_owned())?;
    let mut address = |what: &str| -> Result<Option<String>, String> {
        match fields.next().filter(|f| !f.is_empty()) {
            None => Ok(None),
            Some(_) if !addresses => Err("a user id alone is expected".to_owned()),
            Some(f) if valid_email(f) => Ok(Some(f.to_owned())),
            Some(_) => Err(format!("the {what} is not an e-mail address")),
        }
    };
    let email = address("e-mail")?;
    let guardian_email = address("guardian's e-mail")?;
    if fields.next().is_some() {
        return Err("more than three columns".to_owned());
    }
    Ok(UserLine { user, email, guardian_email })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_line_is_a_user_and_optional_addresses() {
        let line = parse("bob;;parent@exemple.test", true).expect("a line");
        assert_eq!(line.user.as_str(), "bob");
        assert_eq!(line.email, None);
        assert_eq!(line.guardian_email.as_deref(), Some("parent@exemple.test"));
        let line = parse("alice , alice@ecole.test", true).expect("a line");
        assert_eq!(line.email.as_deref(), Some("alice@ecole.test"));
        assert!(parse("alice,not-an-address", true).is_err());
        assert!(parse("alice,a@b.fr", false).is_err(), "transfer takes ids alone");
        assert!(parse("alice,a@b.fr,c@d.fr,e@f.fr", true).is_err());
        assert!(parse("al ice", true).is_err());
    }
}
