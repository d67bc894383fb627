// The app's commands, once, as `module::command`: `commands` registers their handlers from it,
// build.rs declares their permissions and writes the window's capability from it, the tests and
// the TypeScript bindings read the names. Included (`include!`) by each of them.

/// Hands the list to `$then!`, a macro taking `$($module:ident::$command:ident),*`.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            app::bootstrap,
            app::report_first_render,
            settings::set_language,
            email::email_service_get,
            email::email_service_save,
            email::email_service_remove,
            email::email_service_send_test,
            email::email_sender_check,
            email::smtp_presets,
            customers::customers_list,
            customers::customer_get,
            customers::customer_create,
            customers::customer_update,
            customers::customer_set_archived,
            customers::customer_delete,
            customers::customer_address_status,
            customers::customer_address_confirm,
            receivables::customer_receivables,
            pauses::customer_pauses,
            pauses::pause_chips,
            pauses::pause_start,
            pauses::pause_end,
            collections::collection_policy_get,
            collections::collection_policy_save,
            collections::collection_policy_create,
            collections::collection_policy_rename,
            collections::collection_policy_delete,
            collections::customer_policy,
            collections::customer_set_policy,
            collections::collections_simulate,
            collections::collections_today,
            collections::collection_send,
            collections::collection_send_all,
            collections::collection_skip,
            collections::collection_already_sent,
            collections::collection_postpone,
            step_templates::step_words_get,
            step_templates::step_words_save,
            step_templates::step_words_reset,
            receivables::pending_list,
            receivables::receivable_get,
            receivables::receivable_create,
            receivables::receivable_update,
            receivables::receivable_void,
            receivables::payment_preview,
            receivables::payment_record,
            receivables::payment_reverse,
            region::set_region,
            region::read_amount,
            region::read_date,
            region::read_rate,
            region::today,
            csv::csv_import_preview,
            csv::csv_import,
            csv::pending_export_csv,
            csv::aging_export_csv,
            outbox::outbox_list,
            outbox::outbox_bounce_alert,
            outbox::outbox_bounces_seen,
            outbox::outbox_act,
            reminders::reminder_send,
            reminders::receivable_reminders,
            business::business_get,
            business::business_save,
            business::currencies,
            business::payment_options_get,
            business::payment_options_save,
            business::reference_rates_get,
            business::reference_rate_save,
            statements::statement_preview,
            statements::statement_send,
            statements::customer_statements,
            statements::statement_pdf_save,
            statements::statements_plan,
            statements::statements_send_bulk,
            statements::statement_templates_get,
            statements::statement_template_save,
            statements::statement_template_reset,
            statements::statement_template_preview,
            whatsapp::whatsapp_open,
            updates::updates_check,
            updates::updates_announced,
            updates::updates_install,
            updates::updates_check_on_startup,
            updates::updates_set_check_on_startup,
            autostart::autostart_get,
            autostart::autostart_set,
            settings::notices_get,
            settings::notices_set,
            backups::backups_list,
            backups::backups_export,
            backups::backups_restore_copy,
            backups::backups_restore_file,
            templates::templates_get,
            templates::template_save,
            templates::template_reset,
            templates::template_preview,
            templates::reminder_preview,
        }
    };
}

/// The commands' names, as the webview invokes them.
macro_rules! command_names {
    ($($module:ident::$command:ident),* $(,)?) => {
        &[$(stringify!($command)),*]
    };
}

pub const COMMAND_NAMES: &[&str] = with_commands!(command_names);

/// What the main window may do: listen to the events Rust emits, and call exactly these
/// commands (`allow-<command>`). build.rs writes the capability from it; a test checks the file.
pub fn window_permissions() -> Vec<String> {
    ["core:event:allow-listen", "core:event:allow-unlisten"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            COMMAND_NAMES
                .iter()
                .map(|name| format!("allow-{}", name.replace('_', "-"))),
        )
        .collect()
}
