//! A dossier's fee, as the portal reports it: what is still due, and the VietQR transfer that pays exactly that
//! into the account the portal names for the dossier. Matching a payment to its dossier is the portal's (it
//! reports what has been received); the kiosk puts the dossier code in the transfer's content and bill number so
//! it can. Fees for procedures are paid through the national portal's payment function, NAPAS among its
//! intermediaries (shared/reference/next-features.md §1.4; Decision 31/2021/QĐ-TTg Art. 33): the kiosk never
//! takes money itself.
//! Must not do: make up an account, or show a payment code for anything but what the portal says is due.

use crate::portal::Fee;
use crate::vietqr::{self, Beneficiary, Initiation, Transfer};

/// What the resident still has to do about the fee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// The procedure is free.
    Free,
    /// Paid in full.
    Paid { amount: u64 },
    /// Nothing or too little received: `remaining` is still to pay.
    Owed { amount: u64, paid: u64, remaining: u64 },
    /// More than the fee was received: the office refunds `extra` (the resident asks at the counter).
    Overpaid { amount: u64, extra: u64 },
}

pub fn due(fee: &Fee) -> Due {
    let (amount, paid) = (fee.amount_vnd, fee.paid_vnd);
    if amount == 0 && paid == 0 {
        Due::Free
    } else if paid == amount {
        Due::Paid { amount }
    } else if paid < amount {
        Due::Owed { amount, paid, remaining: amount - paid }
    } else {
        Due::Overpaid { amount, extra: paid - amount }
    }
}

/// Why no payment code can be shown for a fee that is owed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoCode {
    /// Nothing is owed.
    #[error("nothing is owed")]
    NothingOwed,
    /// The portal named no account: the resident pays another way (at the counter, on the national portal).
    #[error("the portal named no account for this fee")]
    NoAccount,
    /// The portal's account or the dossier code cannot be put in a VietQR code (a setup problem at the portal).
    #[error("the payment code cannot be made: {0}")]
    Invalid(#[from] vietqr::Error),
}

/// The VietQR payload (dynamic: one payment) for what is still owed on dossier `code`. The code goes both in the
/// bill number and in the transfer's content, the field banking apps show and statements carry.
pub fn payment_code(code: &str, fee: &Fee) -> Result<String, NoCode> {
    let Due::Owed { remaining, .. } = due(fee) else {
        return Err(NoCode::NothingOwed);
    };
    let pay_to = fee.pay_to.as_ref().ok_or(NoCode::NoAccount)?;
    let transfer = Transfer {
        bin: pay_to.bank_bin.clone(),
        beneficiary: Beneficiary::Account(pay_to.account.clone()),
        amount: Some(remaining),
        initiation: Initiation::Dynamic,
        bill_number: Some(code.to_owned()),
        note: Some(code.to_owned()),
    };
    Ok(vietqr::build(&transfer)?)
}

/// An amount in đồng as Vietnamese writes it: "50.000", "1.250.000" (the dot groups thousands).
pub fn dong(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::PayTo;

    fn fee(amount: u64, paid: u64, account: bool) -> Fee {
        Fee {
            amount_vnd: amount,
            paid_vnd: paid,
            pay_to: account.then(|| PayTo {
                bank_bin: "970415".into(),
                bank_name: "VietinBank".into(),
                account: "113000012345".into(),
                account_name: "UBND PHUONG HOAN KIEM".into(),
            }),
        }
    }

    #[test]
    fn what_is_due() {
        assert_eq!(due(&fee(0, 0, true)), Due::Free);
        assert_eq!(due(&fee(10_000, 10_000, true)), Due::Paid { amount: 10_000 });
        assert_eq!(due(&fee(10_000, 0, true)), Due::Owed { amount: 10_000, paid: 0, remaining: 10_000 });
        assert_eq!(due(&fee(10_000, 7_000, true)), Due::Owed { amount: 10_000, paid: 7_000, remaining: 3_000 });
        assert_eq!(due(&fee(10_000, 15_000, true)), Due::Overpaid { amount: 10_000, extra: 5_000 });
        assert_eq!(due(&fee(0, 5_000, true)), Due::Overpaid { amount: 0, extra: 5_000 });
    }

    #[test]
    fn the_code_asks_for_what_remains_with_the_dossier_code() {
        let payload = payment_code("SIM-261205-000001", &fee(10_000, 7_000, true)).expect("a code");
        let transfer = vietqr::parse(&payload).expect("parses");
        assert_eq!(transfer.amount, Some(3_000));
        assert_eq!(transfer.bin, "970415");
        assert_eq!(transfer.beneficiary, Beneficiary::Account("113000012345".into()));
        assert_eq!(transfer.initiation, Initiation::Dynamic);
        assert_eq!(transfer.note.as_deref(), Some("SIM-261205-000001"));
        assert_eq!(transfer.bill_number.as_deref(), Some("SIM-261205-000001"));
        // A real Hanoi dossier code (25 characters) fits too.
        assert!(payment_code("000.00.01.H26-261205-0001", &fee(20_000, 0, true)).is_ok());
    }

    #[test]
    fn no_code_without_an_account_or_a_debt() {
        assert_eq!(payment_code("SIM-261205-000001", &fee(10_000, 0, false)), Err(NoCode::NoAccount));
        assert_eq!(payment_code("SIM-261205-000001", &fee(10_000, 10_000, true)), Err(NoCode::NothingOwed));
        assert_eq!(payment_code("SIM-261205-000001", &fee(0, 0, true)), Err(NoCode::NothingOwed));
        assert_eq!(payment_code("SIM-261205-000001", &fee(10_000, 20_000, true)), Err(NoCode::NothingOwed));
        let mut bad = fee(10_000, 0, true);
        if let Some(pay_to) = bad.pay_to.as_mut() {
            pay_to.bank_bin = "97041".into();
        }
        assert!(matches!(payment_code("SIM-261205-000001", &bad), Err(NoCode::Invalid(_))));
    }

    #[test]
    fn amounts_in_vietnamese() {
        for (amount, text) in
            [(0, "0"), (500, "500"), (7_000, "7.000"), (50_000, "50.000"), (1_250_000, "1.250.000"), (100, "100")]
        {
            assert_eq!(dong(amount), text);
        }
    }
}
