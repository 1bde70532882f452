//! The AWS IAM credential report, in the CSV AWS returns.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{ACCOUNT, APPS, DAY, FIRST_NAMES, LAST_NAMES, REFERENCE, Rng, SEED_IAM, report_time};

const REGIONS: &[&str] = &[
    "eu-west-1",
    "eu-west-1",
    "eu-central-1",
    "us-east-1",
    "us-east-1",
    "us-west-2",
    "ap-southeast-2",
];
const SERVICES: &[&str] = &[
    "s3",
    "s3",
    "ec2",
    "sts",
    "sts",
    "iam",
    "lambda",
    "dynamodb",
    "cloudformation",
    "ecr",
    "logs",
    "sqs",
    "sns",
    "kms",
    "secretsmanager",
];

/// The 22 columns of the report, in AWS's order and spelling.
const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// The account's password policy makes passwords expire after this many
/// days, so console users have a `password_next_rotation`.
const PASSWORD_MAX_AGE_DAYS: i64 = 90;

/// Writes an IAM credential report of `users` rows (the first the root
/// account), as `aws iam get-credential-report` returns it once its
/// `Content` is decoded: no newline after the last row.
pub fn write_credential_report(out: &mut impl Write, users: usize) -> io::Result<()> {
    let mut rng = Rng(SEED_IAM);
    out.write_all(REPORT_HEADER.as_bytes())?;
    let mut row = String::with_capacity(512);
    for i in 0..users {
        row.clear();
        row.push('\n');
        if i == 0 {
            root_row(&mut row, &mut rng)?;
        } else {
            user_row(&mut row, i, &mut rng)?;
        }
        out.write_all(row.as_bytes())?;
    }
    Ok(())
}

fn root_row(row: &mut String, rng: &mut Rng) -> io::Result<()> {
    let created = REFERENCE - 3_100 * DAY - rng.between(0, DAY);
    let used = REFERENCE - rng.between(150 * DAY, 200 * DAY);
    // The root account: `not_supported` where AWS writes it, MFA on, no
    // access keys, a sign-in months ago.
    let _ = write!(
        row,
        "<root_account>,arn:aws:iam::{ACCOUNT}:root,{},not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        report_time(created)?,
        report_time(used)?,
    );
    Ok(())
}

/// One IAM user: ~62 % people who sign in to the console, ~35 % service
/// users with access keys only, ~3 % dormant accounts of people who left.
fn user_row(row: &mut String, i: usize, rng: &mut Rng) -> io::Result<()> {
    let roll = rng.below(1000);
    let (name, path, console, dormant) = if roll < 620 {
        let name = format!("{}.{}{i}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        (
            name,
            rng.pick(&["", "", "engineering/", "finance/", "support/"]),
            true,
            false,
        )
    } else if roll < 970 {
        let name = format!(
            "svc-{}-{}-{i}",
            rng.pick(APPS),
            rng.pick(&["prod", "prod", "staging", "ci"])
        );
        (name, "service/", false, false)
    } else {
        let name = format!("{}.{}{i}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES));
        (name, "", true, true)
    };
    let created = REFERENCE - rng.between(20 * DAY, 9 * 365 * DAY) - rng.below(DAY as u64) as i64;
    let _ = write!(
        row,
        "{name},arn:aws:iam::{ACCOUNT}:user/{path}{name},{},",
        report_time(created)?
    );

    // Password columns, then MFA.
    let mfa = if console {
        let changed = if rng.chance(700) {
            (REFERENCE - rng.between(0, PASSWORD_MAX_AGE_DAYS * DAY)).max(created)
        } else {
            rng.between(created, REFERENCE)
        };
        let used = if dormant {
            if rng.chance(400) {
                None
            } else {
                Some(REFERENCE - rng.between(400 * DAY, 1_500 * DAY))
            }
        } else if rng.chance(750) {
            Some(REFERENCE - rng.between(0, 60 * DAY))
        } else if rng.chance(600) {
            Some(REFERENCE - rng.between(100 * DAY, 900 * DAY))
        } else {
            None
        };
        let used = match used {
            // A sign-in cannot precede the account.
            Some(t) => report_time(t.max(changed))?,
            // A password never used reads `no_information`.
            None => "no_information".to_string(),
        };
        let _ = write!(
            row,
            "true,{used},{},{},",
            report_time(changed)?,
            report_time(changed + PASSWORD_MAX_AGE_DAYS * DAY)?
        );
        if dormant {
            rng.chance(500)
        } else {
            rng.chance(880)
        }
    } else {
        row.push_str("false,N/A,N/A,N/A,");
        false
    };
    row.push_str(if mfa { "true," } else { "false," });

    let keys = if console && !dormant {
        match rng.below(100) {
            0..65 => 0,
            65..93 => 1,
            _ => 2,
        }
    } else if console {
        rng.below(2) as usize
    } else if rng.chance(750) {
        1
    } else {
        2
    };
    for slot in 0..2 {
        if slot < keys {
            access_key(row, created, dormant, rng)?;
        } else {
            row.push_str("false,N/A,N/A,N/A,N/A,");
        }
    }

    // Signing certificates are rare and mostly for old automation.
    if rng.chance(3) {
        let rotated = rng.between(created, REFERENCE);
        let _ = write!(row, "true,{},false,N/A", report_time(rotated)?);
    } else {
        row.push_str("false,N/A,false,N/A");
    }
    Ok(())
}

/// The five columns of one access key slot.
fn access_key(row: &mut String, created: i64, dormant: bool, rng: &mut Rng) -> io::Result<()> {
    // A deactivated key keeps its rotation date.
    let active = rng.chance(920);
    let rotated = if !dormant && rng.chance(550) {
        (REFERENCE - rng.between(0, 90 * DAY)).max(created)
    } else {
        rng.between(created, REFERENCE)
    };
    let used = if dormant {
        rng.chance(500).then(|| {
            rng.between(rotated, rotated + 200 * DAY)
                .min(REFERENCE - 400 * DAY)
        })
    } else {
        match rng.below(100) {
            0..70 => Some((REFERENCE - rng.between(0, 7 * DAY)).max(rotated)),
            70..85 => Some(rng.between(rotated, REFERENCE)),
            _ => None,
        }
    };
    let _ = write!(
        row,
        "{},{},",
        if active { "true" } else { "false" },
        report_time(rotated)?
    );
    match used {
        Some(t) => {
            let _ = write!(
                row,
                "{},{},{},",
                report_time(t.max(rotated))?,
                rng.pick(REGIONS),
                rng.pick(SERVICES)
            );
        }
        // A key never used: date, region and service all `N/A`.
        None => row.push_str("N/A,N/A,N/A,"),
    }
    Ok(())
}
