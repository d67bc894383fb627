//! A file sent with an email (a statement's PDF), and how each provider carries it: a part of
//! a multipart/mixed message for SMTP (its name encoded per RFC 2231, so accents survive),
//! base64 in Resend's `attachments` (`filename`, `content`) and Postmark's `Attachments`
//! (`Name`, `Content`, `ContentType`).

use base64::Engine;
use lettre::message::header::ContentType;
use lettre::message::SinglePart;
use serde_json::{json, Value};

#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// What the recipient sees ("Estado de cuenta – Ana Pérez – 2026-11-30.pdf").
    pub file_name: String,
    /// "application/pdf".
    pub content_type: String,
    pub content: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.content.len())
            .finish()
    }
}

impl Attachment {
    pub fn pdf(file_name: String, content: Vec<u8>) -> Attachment {
        Attachment {
            file_name,
            content_type: "application/pdf".to_owned(),
            content,
        }
    }

    fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.content)
    }

    pub(crate) fn to_mime(&self) -> SinglePart {
        let content_type = ContentType::parse(&self.content_type)
            .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
        lettre::message::Attachment::new(self.file_name.clone())
            .body(self.content.clone(), content_type)
    }

    /// One entry of Resend's `attachments`.
    pub(crate) fn to_resend(&self) -> Value {
        json!({ "filename": self.file_name, "content": self.base64() })
    }

    /// One entry of Postmark's `Attachments`.
    pub(crate) fn to_postmark(&self) -> Value {
        json!({
            "Name": self.file_name,
            "Content": self.base64(),
            "ContentType": self.content_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_travels_whole_with_its_accented_name() {
        let pdf = Attachment::pdf(
            "Estado de cuenta – Ana Pérez – 2026-11-30.pdf".into(),
            b"%PDF-1.7 \x00\xff".to_vec(),
        );
        let resend = pdf.to_resend();
        assert_eq!(
            resend["filename"],
            "Estado de cuenta – Ana Pérez – 2026-11-30.pdf"
        );
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(resend["content"].as_str().expect("base64"))
            .expect("decodes");
        assert_eq!(decoded, pdf.content);
        let postmark = pdf.to_postmark();
        assert_eq!(postmark["ContentType"], "application/pdf");
        assert_eq!(postmark["Content"], resend["content"]);
        assert!(!format!("{pdf:?}").contains("PDF-1.7"), "no bytes in logs");
    }
}
