// The tables of migrations/2026-01-01-000000_init, as diesel sees them.

diesel::table! {
    entries (id) {
        id -> Text,
        owner_id -> Text,
        title -> Text,
        subject -> Text,
        due_date -> Date,
        content_html -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entry_shares (entry_id, user_id) {
        entry_id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        entry_id -> Text,
        name -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        object_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_items (import_id, path) {
        import_id -> Text,
        path -> Text,
        new_id -> Text,
        old_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(attachments -> entries (entry_id));
diesel::joinable!(entry_shares -> entries (entry_id));
diesel::allow_tables_to_appear_in_same_query!(entries, entry_shares, attachments, import_items);
