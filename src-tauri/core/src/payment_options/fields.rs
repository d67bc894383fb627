//! The checks of a forma de pago's fields, each returning the value as it is kept: a
//! Venezuelan mobile number, a cédula or RIF, a bank account, a CLABE with its check digit.

use crate::validation::FieldProblem;

/// A Venezuelan mobile number for Pago Móvil, as "0414-1234567": typed with or without the
/// country code (+58 414…), spaces, dashes or brackets.
pub fn mobile_phone(text: &str) -> Result<String, FieldProblem> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+' | '.'));
    let national = match digits.strip_prefix("58") {
        Some(rest) if text.trim_start().starts_with('+') || digits.len() == 12 => {
            format!("0{rest}")
        }
        _ => digits,
    };
    let operators = ["0412", "0414", "0416", "0424", "0426", "0422"];
    if !allowed || national.len() != 11 || !operators.iter().any(|op| national.starts_with(op)) {
        return Err(FieldProblem::InvalidPhone);
    }
    Ok(format!("{}-{}", &national[..4], &national[4..]))
}

/// A cédula (V-12345678, E-…) or RIF (J-12345678-9, G-…, P-…), kept upper-case with dashes.
pub fn id_number(text: &str) -> Result<String, FieldProblem> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect::<String>()
        .to_uppercase();
    let mut chars = cleaned.chars();
    let letter = chars.next().ok_or(FieldProblem::Required)?;
    let digits: String = chars.collect();
    if !matches!(letter, 'V' | 'E' | 'J' | 'G' | 'P')
        || !digits.chars().all(|c| c.is_ascii_digit())
        || !(6..=10).contains(&digits.len())
    {
        return Err(FieldProblem::InvalidIdNumber);
    }
    // A RIF is nine digits, the last its check digit; a cédula is the number alone.
    Ok(if digits.len() == 9 && matches!(letter, 'J' | 'G' | 'P') {
        format!("{letter}-{}-{}", &digits[..8], &digits[8..])
    } else {
        format!("{letter}-{digits}")
    })
}

/// A bank account (a Venezuelan 20-digit account, an IBAN…): 10 to 34 letters and digits,
/// kept without spaces or dashes.
pub fn account(text: &str) -> Result<String, FieldProblem> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect::<String>()
        .to_uppercase();
    if !(10..=34).contains(&cleaned.len()) || !cleaned.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FieldProblem::InvalidAccount);
    }
    Ok(cleaned)
}

/// A Mexican CLABE: 18 digits, the last the check digit of the first 17 (weights 3, 7, 1).
pub fn clabe(text: &str) -> Result<String, FieldProblem> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits: Vec<u32> = cleaned
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or(FieldProblem::InvalidClabe)?;
    if digits.len() != 18 {
        return Err(FieldProblem::InvalidClabe);
    }
    let sum: u32 = digits[..17]
        .iter()
        .zip([3, 7, 1].iter().cycle())
        .map(|(digit, weight)| digit * weight % 10)
        .sum();
    if (10 - sum % 10) % 10 != digits[17] {
        return Err(FieldProblem::InvalidClabe);
    }
    Ok(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venezuelan_mobiles_are_read_however_typed() {
        for typed in [
            "0414-1234567",
            "04141234567",
            "+58 414 123 4567",
            "(0414) 123.45.67",
        ] {
            assert_eq!(mobile_phone(typed), Ok("0414-1234567".into()), "{typed}");
        }
        for bad in [
            "0212-1234567",
            "0414-123456",
            "041412345678",
            "0414-12A4567",
            "",
        ] {
            assert_eq!(mobile_phone(bad), Err(FieldProblem::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn cedulas_and_rifs_are_kept_with_their_letter() {
        assert_eq!(id_number("v12345678"), Ok("V-12345678".into()));
        assert_eq!(id_number("J-12345678-9"), Ok("J-12345678-9".into()));
        assert_eq!(id_number("j 123456789"), Ok("J-12345678-9".into()));
        for bad in ["X-1234567", "V-12", "12345678", "V-1234567a"] {
            assert_eq!(id_number(bad), Err(FieldProblem::InvalidIdNumber), "{bad}");
        }
    }

    #[test]
    fn a_clabe_needs_its_check_digit() {
        // 032180000118359719 is the CLABE Banxico uses as its example.
        assert_eq!(clabe("032180000118359719"), Ok("032180000118359719".into()));
        assert_eq!(
            clabe("0321 8000 0118 3597 19"),
            Ok("032180000118359719".into())
        );
        assert_eq!(clabe("032180000118359718"), Err(FieldProblem::InvalidClabe));
        assert_eq!(clabe("03218000011835971"), Err(FieldProblem::InvalidClabe));
        assert_eq!(clabe("03218000011835971X"), Err(FieldProblem::InvalidClabe));
    }

    #[test]
    fn accounts_are_letters_and_digits() {
        assert_eq!(
            account("0134-0000-00-0000000000"),
            Ok("01340000000000000000".into())
        );
        assert_eq!(account("123"), Err(FieldProblem::InvalidAccount));
        assert_eq!(account("0134/0000/0000"), Err(FieldProblem::InvalidAccount));
    }
}
