//! The rule a name a user gives (an export's, a template's) follows.

/// Whether `name`, already trimmed, has 1 to `max` characters and no control character.
pub(crate) fn acceptable(name: &str, max: usize) -> bool {
    !name.is_empty() && name.chars().count() <= max && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn a_name_has_one_to_max_characters_and_no_control() {
        assert!(acceptable("Mes cours", 80));
        assert!(acceptable(&"é".repeat(80), 80), "characters are counted, not bytes");
        assert!(!acceptable("", 80));
        assert!(!acceptable(&"a".repeat(81), 80));
        assert!(!acceptable("deux\nlignes", 80));
        assert!(!acceptable("tab\there", 80));
    }
}
