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
        takeovers -> Integer,
    }
}

diesel::joinable!(document_shares -> documents (document_id));
diesel::allow_tables_to_appear_in_same_query!(documents, document_shares, jobs);

diesel::table! {
    exports (id) {
        id -> Text,
        owner_id -> Text,
        owner_name -> Nullable<Text>,
        name -> Text,
        apps -> Text,
        options -> Text,
        status -> Text,
        job_id -> Nullable<Text>,
        files_done -> BigInt,
        files_total -> BigInt,
        bytes_done -> BigInt,
        bytes_total -> BigInt,
        object_key -> Nullable<Text>,
        size -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        app_outcomes -> Nullable<Text>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        delivered_document_id -> Nullable<Text>,
        delivery_error -> Nullable<Text>,
    }
}

diesel::table! {
    export_entries (export_id, seq) {
        export_id -> Text,
        seq -> BigInt,
        path -> Text,
        app -> Text,
        size -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        title -> Text,
        body -> Text,
        resource_id -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_keys (id) {
        id -> Text,
        key_id -> Text,
        private_pkcs8 -> Text,
        public_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    export_parts (export_id, part) {
        export_id -> Text,
        part -> BigInt,
        parts_total -> BigInt,
        object_key -> Text,
        size -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(export_entries -> exports (export_id));
diesel::joinable!(export_parts -> exports (export_id));
diesel::allow_tables_to_appear_in_same_query!(
    exports,
    export_entries,
    export_parts,
    notifications,
    instance_keys
);

diesel::table! {
    imports (id) {
        id -> Text,
        owner_id -> Text,
        owner_name -> Nullable<Text>,
        owner_rights -> Text,
        file_name -> Text,
        object_key -> Nullable<Text>,
        size -> BigInt,
        status -> Text,
        job_id -> Nullable<Text>,
        analysis -> Nullable<Text>,
        selected_apps -> Nullable<Text>,
        report -> Nullable<Text>,
        files_done -> BigInt,
        files_total -> BigInt,
        bytes_done -> BigInt,
        bytes_total -> BigInt,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        auto_apps -> Nullable<Text>,
        cancel_requested_at -> Nullable<Timestamp>,
        parts_set -> Nullable<Text>,
        parts_count -> Nullable<BigInt>,
        waiting_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    import_parts (import_id, object_key) {
        import_id -> Text,
        object_key -> Text,
        size -> BigInt,
        part -> Nullable<BigInt>,
        error_code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    import_scans (import_id, object_key) {
        import_id -> Text,
        object_key -> Text,
        size -> BigInt,
        etag -> Text,
        scan -> Binary,
    }
}

diesel::table! {
    import_items (import_id, path) {
        import_id -> Text,
        path -> Text,
        app -> Text,
        kind -> Text,
        created_id -> Nullable<Text>,
        outcome -> Text,
        final_name -> Nullable<Text>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
    }
}

diesel::table! {
    import_app_results (import_id, app) {
        import_id -> Text,
        app -> Text,
        report -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    export_templates (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        apps -> Text,
        options -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(import_items -> imports (import_id));
diesel::joinable!(import_app_results -> imports (import_id));
diesel::joinable!(import_parts -> imports (import_id));
diesel::joinable!(import_scans -> imports (import_id));
diesel::allow_tables_to_appear_in_same_query!(
    imports,
    import_items,
    import_app_results,
    import_parts,
    import_scans,
    documents
);

diesel::table! {
    creations (id) {
        id -> Text,
        owner_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        actor_id -> Text,
        action -> Text,
        target_user_id -> Nullable<Text>,
        resource_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    export_schedules (id) {
        id -> Text,
        owner_id -> Text,
        owner_name -> Nullable<Text>,
        template_id -> Nullable<Text>,
        apps -> Nullable<Text>,
        options -> Nullable<Text>,
        every_months -> Integer,
        anchor_at -> Timestamp,
        until_at -> Timestamp,
        next_run_at -> Timestamp,
        keep_runs -> Bool,
        lang -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        deliver_to -> Nullable<Text>,
    }
}

diesel::table! {
    export_schedule_runs (export_id) {
        export_id -> Text,
        schedule_id -> Text,
        due_at -> Timestamp,
    }
}

diesel::joinable!(export_schedule_runs -> export_schedules (schedule_id));
diesel::allow_tables_to_appear_in_same_query!(exports, export_schedules, export_schedule_runs);

diesel::table! {
    leavers (user_id) {
        user_id -> Text,
        until_at -> Timestamp,
        email -> Nullable<Text>,
        guardian_email -> Nullable<Text>,
        lang -> Text,
        export_id -> Nullable<Text>,
        export_error -> Nullable<Text>,
        link_id -> Text,
        link_revoked_at -> Nullable<Timestamp>,
        notified_at -> Nullable<Timestamp>,
        reminded_days -> Nullable<Integer>,
        downloaded_at -> Nullable<Timestamp>,
        expired_at -> Nullable<Timestamp>,
        declared_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(exports, leavers);
