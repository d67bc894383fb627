//! TypeScript types for everything that crosses the IPC, generated from the Rust types into one
//! file the UI imports (`ui/src/lib/bindings.ts`). A test fails when that file is stale; run
//! `UPDATE_BINDINGS=1 cargo test -p cachicamo bindings` to regenerate it.

use cachicamo_core::backup::{AutomaticCopy, CopyKind, Progress, Restored, Stage};
use cachicamo_core::books::currency::Currency;
use cachicamo_core::books::customers::{Customer, CustomerForm, CustomerPage, CustomerQuery};
use cachicamo_core::books::history::{HistoryEntry, HistoryKind};
use cachicamo_core::books::import::{
    DifferenceKind, ImportKind, ImportPreview, ImportRow, RowDifference, RowProblem,
};
use cachicamo_core::books::money::{DateShown, Money};
use cachicamo_core::books::payments::{
    Payment, PaymentForm, PaymentMethod, PaymentPreview, Reversal,
};
use cachicamo_core::books::pending::{PendingFilter, PendingPage, PendingQuery, PendingSort};
use cachicamo_core::books::rate::RateDirection;
use cachicamo_core::books::receivables::{
    LastReminder, Receivable, ReceivableDetail, ReceivableForm, ReceivableStatus,
};
use cachicamo_core::books::region::{Region, RegionFormat};
use cachicamo_core::books::Refusal;
use cachicamo_core::business::{Business, BusinessView};
use cachicamo_core::locale::Language;
use cachicamo_core::mail::config::{
    EmailServiceForm, FieldProblem, Provider, SmtpPreset, SmtpSecurity,
};
use cachicamo_core::mail::destination::{DestinationPart, SecretProblem};
use cachicamo_core::mail::service::{EmailServiceView, SmtpView, TestEmailSent};
use cachicamo_core::mail::store::VerificationStatus;
use cachicamo_core::mail::{FailureClass, MailFailure};
use cachicamo_core::outbox::{
    CancelReason, HoldReason, OutboxChanged, OutboxEntry, OutboxFailure, OutboxFilter, OutboxId,
    OutboxPage, OutboxState, OwnerAction, Rows, WaitReason,
};
use cachicamo_core::payment_options::{
    AccountType, PaymentOption, PaymentOptionDetails, PaymentOptionsView,
};
use cachicamo_core::reference_rates::{ReferenceRate, ReferenceRateForm};
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
use cachicamo_core::validation::FieldError;
use cachicamo_core::whatsapp::{WhatsAppLink, WhatsAppRequest};
use ts_rs::TS;

use crate::commands::app::{Bootstrap, FirstRender};
use crate::error::{ErrorCode, IpcError};
use crate::exports::Exported;
use crate::updates::AvailableUpdate;

/// Where the generated file lives, relative to this crate.
pub const OUTPUT: &str = "../ui/src/lib/bindings.ts";

pub fn typescript() -> String {
    let cfg = ts_rs::Config::new();
    let declarations = [
        Language::decl(&cfg),
        ErrorCode::decl(&cfg),
        IpcError::decl(&cfg),
        Bootstrap::decl(&cfg),
        FirstRender::decl(&cfg),
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
        PendingPage::decl(&cfg),
        LastReminder::decl(&cfg),
        OutboxId::decl(&cfg),
        OutboxState::decl(&cfg),
        WaitReason::decl(&cfg),
        CancelReason::decl(&cfg),
        HoldReason::decl(&cfg),
        OutboxFilter::decl(&cfg),
        OwnerAction::decl(&cfg),
        Rows::decl(&cfg),
        OutboxFailure::decl(&cfg),
        OutboxEntry::decl(&cfg),
        OutboxPage::decl(&cfg),
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
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

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
