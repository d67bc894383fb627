// Included by build.rs (for the permission manifest) and by `commands` (for tests), so the list
// of the app's commands lives in one place.
pub const COMMAND_NAMES: &[&str] = &[
    "bootstrap",
    "report_first_render",
    "set_language",
    "email_service_get",
    "email_service_save",
    "email_service_remove",
    "email_service_send_test",
    "smtp_presets",
    "customers_list",
    "customer_get",
    "customer_create",
    "customer_update",
    "customer_set_archived",
    "customer_delete",
    "updates_check",
    "updates_announced",
    "updates_install",
    "updates_check_on_startup",
    "updates_set_check_on_startup",
];
