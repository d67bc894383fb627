//! TypeScript types for everything that crosses the IPC, generated from the Rust types into one
//! file the UI imports (`ui/src/lib/bindings.ts`). A test fails when that file is stale; run
//! `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` to regenerate it.
//!
//! Besides the types, the values the UI must agree on with Rust are generated here too, so none
//! is kept by hand on the TypeScript side: the list of error codes, the names of the commands
//! (`api.ts` can call no other), and the size limits the window checks before sending a file.

use cachicamo_core::backup::{
    AutomaticCopy, BackupRefusal, CopyKind, Progress, Restored, Stage, MAX_RESTORE_BYTES,
};
use cachicamo_core::books::aging::{AgingBucket, AgingCell, AgingLine};
use cachicamo_core::books::currency::Currency;
use cachicamo_core::books::customers::{Customer, CustomerForm, CustomerPage, CustomerQuery};
use cachicamo_core::books::dates::DateShown;
use cachicamo_core::books::history::{HistoryEntry, HistoryKind};
use cachicamo_core::books::import::{
    self, DifferenceKind, ImportError, ImportKind, ImportPreview, ImportRow, RowDifference,
    RowProblem,
};
use cachicamo_core::books::money::Money;
use cachicamo_core::books::pauses::{Pause, PauseChip, PauseEnd, PauseForm, PauseKind, PauseState};
use cachicamo_core::books::payments::{
    Payment, PaymentForm, PaymentMethod, PaymentPreview, Reversal,
};
use cachicamo_core::books::pending::{PendingFilter, PendingPage, PendingQuery, PendingSort};
use cachicamo_core::books::rate::RateDirection;
use cachicamo_core::books::receivables::{
    LastReminder, Receivable, ReceivableDetail, ReceivableForm, ReceivableStatus,
};
use cachicamo_core::books::Refusal;
use cachicamo_core::business::{Business, BusinessView};
use cachicamo_core::collections::evaluate::HeldFor;
use cachicamo_core::collections::form::{PolicyForm, TypedMinimum};
use cachicamo_core::collections::policies::{CustomerPolicy, PolicyDeletion, PolicySummary};
use cachicamo_core::collections::policy::{
    MinimumBalance, PolicyRules, PolicyStep, Repeat, SendMode, StepUnit,
};
use cachicamo_core::collections::simulate::{SimulatedDay, SimulatedMessage};
use cachicamo_core::collections::step_words::{
    StepReminderTemplateView, StepStatementTemplateView, StepTemplate, StepTemplateView,
};
use cachicamo_core::collections::today::{TodayLine, TodayPage, TodayState};
use cachicamo_core::collections::CollectionSettings;
use cachicamo_core::db::schema::{Difference, ObjectKind, SchemaDifference};
use cachicamo_core::locale::Language;
use cachicamo_core::locale::{Region, RegionFormat};
use cachicamo_core::mail::config::{
    EmailServiceForm, FieldProblem, Provider, SmtpPreset, SmtpSecurity,
};
use cachicamo_core::mail::destination::{DestinationPart, SecretProblem};
use cachicamo_core::mail::sender_check::{DnsRecord, PostmarkCover, SenderCheck};
use cachicamo_core::mail::service::{EmailServiceView, SmtpView, TestEmailSent};
use cachicamo_core::mail::store::VerificationStatus;
use cachicamo_core::mail::{FailureClass, KeyAccess, MailFailure};
use cachicamo_core::outbox::delivery::DeliveryState;
use cachicamo_core::outbox::{
    CancelReason, Delivery, HoldReason, OutboxChanged, OutboxEntry, OutboxFailure, OutboxFilter,
    OutboxId, OutboxRefusal, OutboxState, OutboxSummary, OwnerAction, Rows, WaitReason,
};
use cachicamo_core::payment_options::{
    AccountType, PaymentOption, PaymentOptionDetails, PaymentOptionsView,
};
use cachicamo_core::reference_rates::{ReferenceRate, ReferenceRateForm};
use cachicamo_core::reminders::listing::{EmailAbout, ListedEmail, OutboxListing};
use cachicamo_core::reminders::queue::SendReminder;
use cachicamo_core::reminders::{
    ReminderDraft, ReminderRequest, ReminderTemplate, RenderedReminder, TemplateView, Variable,
    VariableKey,
};
use cachicamo_core::statements::bulk::{
    BulkPlan, BulkQueued, BulkSelection, PlannedStatement, SetAside, SetAsideReason,
};
use cachicamo_core::statements::{
    CurrencyGroup, Equivalent, Party, PaymentReceived, RenderedStatement, SendStatement, Statement,
    StatementDraft, StatementLine, StatementTemplate, StatementTemplateView, StatementVariable,
    StatementVariableView,
};
use cachicamo_core::step_templates::StepKey;
use cachicamo_core::undeliverable::{Undeliverable, UndeliverableReason};
use cachicamo_core::validation::FieldError;
use cachicamo_core::whatsapp::{WhatsAppLink, WhatsAppRequest};
use cachicamo_core::wire;
use strum::VariantArray;
use ts_rs::TS;

use crate::commands::app::{Bootstrap, FirstRender, PageTimes};
use crate::commands::COMMAND_NAMES;
use crate::downloads::Exported;
use crate::error::{ErrorCode, Failure, IpcError, Refused};
use crate::updates::AvailableUpdate;

/// Where the generated file lives, relative to this crate.
pub const OUTPUT: &str = "../ui/src/lib/bindings.ts";

pub fn typescript() -> String {
    let cfg = ts_rs::Config::new();
    let declarations = [
        Language::decl(&cfg),
        ErrorCode::decl(&cfg),
        ObjectKind::decl(&cfg),
        Difference::decl(&cfg),
        SchemaDifference::decl(&cfg),
        BackupRefusal::decl(&cfg),
        ImportError::decl(&cfg),
        OutboxRefusal::decl(&cfg),
        Refused::decl(&cfg),
        Failure::decl(&cfg),
        IpcError::decl(&cfg),
        Bootstrap::decl(&cfg),
        FirstRender::decl(&cfg),
        PageTimes::decl(&cfg),
        Provider::decl(&cfg),
        SmtpSecurity::decl(&cfg),
        SmtpPreset::decl(&cfg),
        EmailServiceForm::decl(&cfg),
        FieldProblem::decl(&cfg),
        FieldError::decl(&cfg),
        VerificationStatus::decl(&cfg),
        SmtpView::decl(&cfg),
        DestinationPart::decl(&cfg),
        SecretProblem::decl(&cfg),
        KeyAccess::decl(&cfg),
        DnsRecord::decl(&cfg),
        PostmarkCover::decl(&cfg),
        SenderCheck::decl(&cfg),
        EmailServiceView::decl(&cfg),
        TestEmailSent::decl(&cfg),
        MailFailure::decl(&cfg),
        FailureClass::decl(&cfg),
        CustomerForm::decl(&cfg),
        Customer::decl(&cfg),
        CustomerQuery::decl(&cfg),
        CustomerPage::decl(&cfg),
        AvailableUpdate::decl(&cfg),
        Business::decl(&cfg),
        BusinessView::decl(&cfg),
        Currency::decl(&cfg),
        Refusal::decl(&cfg),
        Region::decl(&cfg),
        RegionFormat::decl(&cfg),
        Money::decl(&cfg),
        DateShown::decl(&cfg),
        ReceivableForm::decl(&cfg),
        ReceivableStatus::decl(&cfg),
        Receivable::decl(&cfg),
        ReceivableDetail::decl(&cfg),
        HistoryKind::decl(&cfg),
        HistoryEntry::decl(&cfg),
        PaymentMethod::decl(&cfg),
        RateDirection::decl(&cfg),
        PaymentForm::decl(&cfg),
        PaymentPreview::decl(&cfg),
        Reversal::decl(&cfg),
        Payment::decl(&cfg),
        PendingFilter::decl(&cfg),
        PendingSort::decl(&cfg),
        PendingQuery::decl(&cfg),
        AgingBucket::decl(&cfg),
        AgingCell::decl(&cfg),
        AgingLine::decl(&cfg),
        PendingPage::decl(&cfg),
        LastReminder::decl(&cfg),
        PauseKind::decl(&cfg),
        PauseEnd::decl(&cfg),
        PauseState::decl(&cfg),
        PauseForm::decl(&cfg),
        Pause::decl(&cfg),
        PauseChip::decl(&cfg),
        StepUnit::decl(&cfg),
        SendMode::decl(&cfg),
        PolicyStep::decl(&cfg),
        Repeat::decl(&cfg),
        MinimumBalance::decl(&cfg),
        PolicyRules::decl(&cfg),
        TypedMinimum::decl(&cfg),
        PolicyForm::decl(&cfg),
        PolicySummary::decl(&cfg),
        PolicyDeletion::decl(&cfg),
        CustomerPolicy::decl(&cfg),
        CollectionSettings::decl(&cfg),
        SimulatedMessage::decl(&cfg),
        SimulatedDay::decl(&cfg),
        TodayState::decl(&cfg),
        HeldFor::decl(&cfg),
        TodayLine::decl(&cfg),
        TodayPage::decl(&cfg),
        OutboxId::decl(&cfg),
        OutboxState::decl(&cfg),
        WaitReason::decl(&cfg),
        CancelReason::decl(&cfg),
        HoldReason::decl(&cfg),
        OutboxFilter::decl(&cfg),
        OutboxSummary::decl(&cfg),
        OwnerAction::decl(&cfg),
        Rows::decl(&cfg),
        OutboxFailure::decl(&cfg),
        DeliveryState::decl(&cfg),
        UndeliverableReason::decl(&cfg),
        Undeliverable::decl(&cfg),
        Delivery::decl(&cfg),
        OutboxEntry::decl(&cfg),
        EmailAbout::decl(&cfg),
        ListedEmail::decl(&cfg),
        OutboxListing::decl(&cfg),
        OutboxChanged::decl(&cfg),
        SendReminder::decl(&cfg),
        ImportKind::decl(&cfg),
        RowProblem::decl(&cfg),
        DifferenceKind::decl(&cfg),
        RowDifference::decl(&cfg),
        ImportRow::decl(&cfg),
        ImportPreview::decl(&cfg),
        CopyKind::decl(&cfg),
        AutomaticCopy::decl(&cfg),
        Restored::decl(&cfg),
        Stage::decl(&cfg),
        Progress::decl(&cfg),
        Exported::decl(&cfg),
        ReminderTemplate::decl(&cfg),
        VariableKey::decl(&cfg),
        Variable::decl(&cfg),
        TemplateView::decl(&cfg),
        RenderedReminder::decl(&cfg),
        ReminderRequest::decl(&cfg),
        ReminderDraft::decl(&cfg),
        AccountType::decl(&cfg),
        PaymentOptionDetails::decl(&cfg),
        PaymentOption::decl(&cfg),
        PaymentOptionsView::decl(&cfg),
        ReferenceRateForm::decl(&cfg),
        ReferenceRate::decl(&cfg),
        Party::decl(&cfg),
        StatementLine::decl(&cfg),
        Equivalent::decl(&cfg),
        CurrencyGroup::decl(&cfg),
        PaymentReceived::decl(&cfg),
        Statement::decl(&cfg),
        RenderedStatement::decl(&cfg),
        SendStatement::decl(&cfg),
        StatementDraft::decl(&cfg),
        BulkSelection::decl(&cfg),
        PlannedStatement::decl(&cfg),
        SetAsideReason::decl(&cfg),
        SetAside::decl(&cfg),
        BulkPlan::decl(&cfg),
        BulkQueued::decl(&cfg),
        StatementTemplate::decl(&cfg),
        StatementVariable::decl(&cfg),
        StatementVariableView::decl(&cfg),
        StatementTemplateView::decl(&cfg),
        StepKey::decl(&cfg),
        StepStatementTemplateView::decl(&cfg),
        StepReminderTemplateView::decl(&cfg),
        StepTemplate::decl(&cfg),
        StepTemplateView::decl(&cfg),
        WhatsAppRequest::decl(&cfg),
        WhatsAppLink::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit by hand:\n\
         // run `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` after changing them.\n\n",
    );
    for declaration in declarations {
        out.push_str("export ");
        out.push_str(&declaration);
        out.push_str("\n\n");
    }
    for value in values() {
        out.push_str(&value);
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The values the UI shares with Rust, as TypeScript constants and types.
fn values() -> Vec<String> {
    let quoted = |names: &mut dyn Iterator<Item = String>| {
        names.map(|name| format!("{name:?}")).collect::<Vec<_>>()
    };
    let codes = quoted(&mut ErrorCode::VARIANTS.iter().map(wire::code));
    let commands = quoted(&mut COMMAND_NAMES.iter().map(|name| (*name).to_owned()));
    vec![
        format!(
            "/** Every error code, in the order Rust declares them. */\n\
             export const ERROR_CODES: readonly ErrorCode[] = [{}];",
            codes.join(", ")
        ),
        format!(
            "/** The app's commands (`src-tauri/src/commands/names.rs`): the only names `invoke` \
             may be given. */\nexport type Command = {};",
            commands.join(" | ")
        ),
        format!(
            "/** What the core refuses by size, checked in the window before a file crosses the \
             IPC. */\nexport const LIMITS = {{ importBytes: {}, importRows: {}, restoreBytes: {} }} as const;",
            import::MAX_BYTES,
            import::MAX_ROWS,
            MAX_RESTORE_BYTES
        ),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `api.ts` can call no other command (`call` takes a generated `Command`); this checks the
    /// other way: no command is registered that the window never calls.
    #[test]
    fn the_window_calls_every_command() {
        let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/api.ts");
        let text = std::fs::read_to_string(&api).expect("api.ts");
        let uncalled: Vec<_> = crate::commands::COMMAND_NAMES
            .iter()
            .filter(|name| !text.contains(&format!(">('{name}'")))
            .collect();
        assert!(
            uncalled.is_empty(),
            "commands api.ts never calls: {uncalled:?}"
        );
    }

    #[test]
    fn bindings_file_is_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::OUTPUT);
        let expected = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).expect("write bindings");
            return;
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings`",
            path.display()
        );
    }
}
