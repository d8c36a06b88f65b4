// Written by hand to match both migration folders; every type here exists in Postgres and SQLite.

diesel::table! {
    documents (id) {
        id -> Text,
        owner_id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        name -> Text,
        object_key -> Nullable<Text>,
        content_type -> Nullable<Text>,
        size -> BigInt,
        sha256 -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    document_shares (document_id, user_id) {
        document_id -> Text,
        user_id -> Text,
        granted_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Text,
        kind -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        max_attempts -> Integer,
        heartbeat_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(document_shares -> documents (document_id));
diesel::allow_tables_to_appear_in_same_query!(documents, document_shares, jobs);
