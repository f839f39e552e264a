//! The built-in shapes: provider tokens by their prefixes, key blocks, context-bound
//! credentials (a value is a secret because of what surrounds it: `AccountKey=`, `sshpass -p`,
//! `curl -u`), and assignments whose name says secret. Written after reading gitleaks' and
//! trufflehog's rule sets (learned from, not copied): each shape names the literals every match
//! contains, so the engine can skip a rule whose keywords are absent from a text.

use super::{
    ASSIGNMENT_KIND, GENERIC_KIND, Shape, ShapeHow, plausible_token, plausible_url_password,
};

/// The separator between a name and its value: `=`, `:`, `:=`, `=>`, with spaces or tabs.
/// Kept in one place so every assignment-like shape agrees on it.
macro_rules! sep {
    () => {
        r#"\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*"#
    };
}

/// A token recognised by its prefix alone: the whole match is replaced.
const fn token(
    kind: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
) -> Shape {
    Shape {
        kind,
        keywords,
        keywords_nocase: false,
        pattern,
        how: ShapeHow::Whole,
    }
}

/// A value that is a secret because of its context: only capture group 1 is replaced, when
/// `check` (if any) accepts it.
const fn bound(
    kind: &'static str,
    keywords: &'static [&'static str],
    nocase: bool,
    pattern: &'static str,
    check: Option<fn(&str) -> bool>,
) -> Shape {
    Shape {
        kind,
        keywords,
        keywords_nocase: nocase,
        pattern,
        how: ShapeHow::Group(1, check),
    }
}

/// Built-in shapes, in the order they run: key blocks first (they span lines), then specific
/// shapes, so a token inside an assignment gets its precise kind and the assignment rules then
/// see an already redacted value and leave it; the generic high-entropy rule runs last.
pub(super) const SHAPES: &[Shape] = &[
    token(
        "private-key",
        &["PRIVATE KEY"],
        r"(?s)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----.*?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
    ),
    // A key whose END is missing: the BEGIN line and the base64 or header lines after it.
    token(
        "private-key",
        &["PRIVATE KEY"],
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[^\n]*(?:\n(?:[A-Za-z0-9+/=]{8,}|[A-Za-z-]+: [^\n]*)\r?)*",
    ),
    // A key whose BEGIN is missing: readers keep the last 2 KiB of a failing command's output
    // before redaction runs, and a cut inside a key leaves body lines and the END line. The
    // body (raw or JSON-escaped line breaks) up to END is the secret.
    token(
        "private-key",
        &["PRIVATE KEY"],
        r"(?:[A-Za-z0-9+/=]{4,}(?:\r?\n|\\r?\\n))+-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
    ),
    token(
        "age-secret-key",
        &["AGE-SECRET-KEY-1"],
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    ),
    token(
        "jwt",
        &["eyJ"],
        r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
    ),
    // --- Model providers.
    token(
        "anthropic-key",
        &["sk-ant-"],
        r"(?-u:\b)sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{20,}",
    ),
    token(
        "openrouter-key",
        &["sk-or-"],
        r"(?-u:\b)sk-or-v[0-9]+-[0-9a-f]{48,}(?-u:\b)",
    ),
    token(
        "openai-key",
        &["sk-"],
        r"(?-u:\b)sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,}(?-u:\b))",
    ),
    token(
        "groq-key",
        &["gsk_"],
        r"(?-u:\b)gsk_[A-Za-z0-9]{48,}(?-u:\b)",
    ),
    token(
        "xai-key",
        &["xai-"],
        r"(?-u:\b)xai-[A-Za-z0-9]{70,}(?-u:\b)",
    ),
    token(
        "perplexity-key",
        &["pplx-"],
        r"(?-u:\b)pplx-[A-Za-z0-9]{40,}(?-u:\b)",
    ),
    token(
        "replicate-token",
        &["r8_"],
        r"(?-u:\b)r8_[A-Za-z0-9]{37}(?-u:\b)",
    ),
    token(
        "langsmith-key",
        &["lsv2_"],
        r"(?-u:\b)lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?-u:\b)",
    ),
    token(
        "huggingface-token",
        &["hf_"],
        r"(?-u:\b)hf_[0-9A-Za-z]{30,}(?-u:\b)",
    ),
    // --- Clouds.
    token(
        "aws-access-key",
        &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        r"(?-u:\b)(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)",
    ),
    Shape {
        kind: "aws-secret-key",
        keywords: &["secret_access", "secretaccess", "secret-access"],
        keywords_nocase: true,
        pattern: concat!(
            r"(?i)(?-u:\b)(?:aws[_-]?)?secret[_-]?access[_-]?key",
            sep!(),
            r#"\\?["']?([A-Za-z0-9/+=]{40,})"#
        ),
        how: ShapeHow::Group(1, None),
    },
    token(
        "google-api-key",
        &["AIza"],
        r"(?-u:\b)AIza[0-9A-Za-z_-]{35}",
    ),
    token(
        "google-oauth-secret",
        &["GOCSPX-"],
        r"GOCSPX-[A-Za-z0-9_-]{28}",
    ),
    token(
        "alibaba-access-key",
        &["LTAI"],
        r"(?-u:\b)LTAI[A-Za-z0-9]{20}(?-u:\b)",
    ),
    token(
        "digitalocean-token",
        &["_v1_"],
        r"(?-u:\b)do[opr]_v1_[a-f0-9]{64}(?-u:\b)",
    ),
    bound(
        "azure-storage-key",
        &["accountkey"],
        true,
        r"(?i)AccountKey[ \t]*=[ \t]*([A-Za-z0-9+/]{40,}={0,2})",
        None,
    ),
    bound(
        "azure-sas",
        &["sig="],
        false,
        r"[?&;]sig=([A-Za-z0-9%+/]{20,}(?:%3D|=){0,2})",
        None,
    ),
    // Azure AD client secrets carry `Q~` after three characters and a digit.
    bound(
        "azure-ad-secret",
        &["Q~"],
        false,
        r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:$|[^A-Za-z0-9_~.-])",
        None,
    ),
    token("heroku-key", &["HRKU-"], r"HRKU-AA[A-Za-z0-9_-]{58}"),
    token(
        "databricks-token",
        &["dapi"],
        r"(?-u:\b)dapi[a-f0-9]{32}(?:-[0-9]+)?(?-u:\b)",
    ),
    token(
        "terraform-token",
        &[".atlasv1."],
        r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}",
    ),
    token(
        "pulumi-token",
        &["pul-"],
        r"(?-u:\b)pul-[a-f0-9]{40}(?-u:\b)",
    ),
    token(
        "vault-token",
        &["hvs.", "hvb."],
        r"(?-u:\b)hv[sb]\.[A-Za-z0-9_-]{24,}",
    ),
    token(
        "doppler-token",
        &["dp."],
        r"(?-u:\b)dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}",
    ),
    token(
        "planetscale-token",
        &["pscale_"],
        r"(?-u:\b)pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}",
    ),
    token(
        "supabase-token",
        &["sbp_"],
        r"(?-u:\b)sbp_[a-f0-9]{40}(?-u:\b)",
    ),
    token(
        "tailscale-key",
        &["tskey-"],
        r"(?-u:\b)tskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,}",
    ),
    token(
        "onepassword-token",
        &["ops_eyJ"],
        r"ops_eyJ[A-Za-z0-9+/=_-]{100,}",
    ),
    // --- Code hosting, packages, CI.
    token(
        "github-token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        r"(?-u:\b)(?:gh[pousr]_[0-9A-Za-z]{36,}|github_pat_[0-9A-Za-z_]{22,})(?-u:\b)",
    ),
    token(
        "gitlab-token",
        &[
            "glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "glft-", "glsoat-", "glimt-",
        ],
        r"(?-u:\b)gl(?:pat|ptt|dt|rt|cbt|ft|soat|imt)-[0-9A-Za-z_.-]{20,}",
    ),
    token(
        "npm-token",
        &["npm_"],
        r"(?-u:\b)npm_[0-9A-Za-z]{36}(?-u:\b)",
    ),
    token("pypi-token", &["pypi-AgE"], r"pypi-AgE[A-Za-z0-9_-]{50,}"),
    token(
        "docker-token",
        &["dckr_pat_"],
        r"dckr_pat_[A-Za-z0-9_-]{27,}",
    ),
    token("buildkite-token", &["bkua_"], r"bkua_[a-f0-9]{40}"),
    token("postman-key", &["PMAK-"], r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}"),
    token("atlassian-token", &["ATATT3"], r"ATATT3[A-Za-z0-9_=-]{50,}"),
    token(
        "linear-key",
        &["lin_api_"],
        r"(?-u:\b)lin_api_[A-Za-z0-9]{40}(?-u:\b)",
    ),
    token(
        "notion-token",
        &["secret_", "ntn_"],
        r"(?-u:\b)(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,})(?-u:\b)",
    ),
    // --- Messaging, payments, observability.
    token(
        "slack-webhook",
        &["hooks.slack.com"],
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
    ),
    token(
        "slack-token",
        &["xox", "xapp-"],
        r"(?-u:\b)(?:xox[baprse]|xapp)-[0-9A-Za-z-]{10,}",
    ),
    token(
        "stripe-key",
        &["k_live_", "k_test_", "k_prod_"],
        r"(?-u:\b)[rs]k_(?:live|test|prod)_[0-9A-Za-z]{10,}",
    ),
    token(
        "stripe-webhook-secret",
        &["whsec_"],
        r"whsec_[A-Za-z0-9+/]{32,}",
    ),
    token(
        "square-token",
        &["sq0csp-", "sq0atp-", "EAAA"],
        r"(?-u:\b)(?:sq0(?:csp|atp)-[A-Za-z0-9_-]{22,}|EAAA[A-Za-z0-9_-]{60})(?-u:\b)",
    ),
    token(
        "shopify-token",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
        r"(?-u:\b)shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?-u:\b)",
    ),
    token(
        "sendgrid-key",
        &["SG."],
        r"(?-u:\b)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?-u:\b)",
    ),
    bound(
        "mailgun-key",
        &["key-"],
        false,
        r"(?:^|[^A-Za-z0-9_-])(key-[a-f0-9]{32})(?-u:\b)",
        None,
    ),
    token("twilio-key", &["SK"], r"(?-u:\b)SK[0-9a-fA-F]{32}(?-u:\b)"),
    token(
        "grafana-token",
        &["glsa_", "glc_"],
        r"(?-u:\b)(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})",
    ),
    token(
        "sentry-token",
        &["sntrys_", "sntryu_"],
        r"(?-u:\b)(?:sntrys_eyJ[A-Za-z0-9+/=_-]{50,}|sntryu_[a-f0-9]{64})",
    ),
    token("newrelic-key", &["NRAK-"], r"NRAK-[A-Z0-9]{27}"),
    token(
        "mapbox-token",
        &["sk.eyJ"],
        r"(?-u:\b)sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}",
    ),
    bound(
        "datadog-key",
        &["dd-api-key", "dd-application-key", "dd-app-key"],
        true,
        r#"(?i)dd-(?:api|application|app)-key["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9]{32,40})"#,
        None,
    ),
    bound(
        "telegram-bot-token",
        &[":AA"],
        false,
        r"(?:^|[^0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?-u:\b)",
        None,
    ),
    // Discord bot tokens have no prefix: bound to the word Discord or `Bot` (its auth scheme).
    bound(
        "discord-bot-token",
        &["discord", "bot"],
        true,
        r"(?:(?i:discord)|(?-u:\b)(?i:bot))[^\n]{0,40}?(?-u:\b)([MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40})",
        None,
    ),
    // --- Credentials in URLs, headers and command lines.
    // `scheme://user:password@host` (user may be empty: `redis://:pw@host`).
    bound(
        "url-credentials",
        &["://"],
        false,
        r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@'"\[\]]*:([^\s/@'"\[\]]+)@"#,
        Some(plausible_url_password),
    ),
    bound(
        "bearer",
        &["bearer"],
        true,
        r"(?i)(?-u:\b)bearer[ \t]+([A-Za-z0-9._~+/-]+=*)",
        Some(plausible_token),
    ),
    bound(
        "basic-auth",
        &["authorization"],
        true,
        r"(?i)(?-u:\b)authorization[ \t]*:[ \t]*basic[ \t]+([A-Za-z0-9+/]{8,}={0,2})",
        Some(plausible_token),
    ),
    bound(
        "curl-credentials",
        &["curl"],
        false,
        r#"(?-u:\b)curl(?-u:\b)[^\n]*?[ \t](?:-u|--user)(?:[ \t]+|=)?['"]?[^\s:'"]*:([^\s'"]+)"#,
        Some(plausible_url_password),
    ),
    bound(
        "sshpass-password",
        &["sshpass"],
        false,
        r#"(?-u:\b)sshpass[ \t]+-p[ \t]*['"]?([^\s'"]+)"#,
        Some(plausible_url_password),
    ),
    bound(
        "mysql-password",
        &["mysql", "mariadb"],
        false,
        r#"(?-u:\b)(?:mysql|mysqldump|mysqladmin|mariadb)(?-u:\b)[^\n]*?[ \t]-p['"]?([^\s'"-][^\s'"]*)"#,
        Some(plausible_url_password),
    ),
    // `.netrc`: `machine host login me password PW`, or `password PW` on its own line.
    bound(
        "netrc-password",
        &["password"],
        false,
        r"(?m)(?:(?:machine|login)[^\n]*?[ \t]|^[ \t]*)password[ \t]+(\S+)",
        Some(plausible_token),
    ),
    bound(
        "kubeconfig-key",
        &["client-key-data"],
        false,
        r"client-key-data:[ \t]*([A-Za-z0-9+/=]{20,})",
        None,
    ),
    // `API_KEY=…`, `"password": "…"`, `client_secret: …`, `--token=…`: the name is kept, the
    // value judged in code. A name ends in one of these words; the generic `_KEY` only in
    // upper case, since `primary_key`, `sort_key`, `cache_key` are everyday code.
    Shape {
        kind: ASSIGNMENT_KIND,
        keywords: &["key", "token", "secret", "passw", "passphrase"],
        keywords_nocase: true,
        pattern: concat!(
            r"([A-Za-z0-9_.-]*(?:(?i:api[_-]?key|access[_-]?key|secret[_-]?key(?:[_-]?base)?|private[_-]?key|auth[_-]?key|secret|token|passw(?:or)?d|passphrase)|_KEY))",
            r#"(\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*)"#
        ),
        how: ShapeHow::Assignment,
    },
    // The generic rule: a name that merely *contains* a secret word (`STRIPE_SECRET_LIVE`,
    // `authTokenProd`, `db_password_hash_salt`) and a value of high entropy with letters and
    // digits, the way random keys look.
    Shape {
        kind: GENERIC_KIND,
        keywords: &[
            "secret",
            "token",
            "passw",
            "apikey",
            "api_key",
            "api-key",
            "credential",
            "auth",
            "private",
        ],
        keywords_nocase: true,
        pattern: concat!(
            r"([A-Za-z0-9_.-]*(?i:secret|token|passw|api[_-]?key|credential|auth|private)[A-Za-z0-9_.-]*)",
            r#"(\\?["']?[ \t]*(?::=|=>|=|:)[ \t]*)"#
        ),
        how: ShapeHow::Generic,
    },
];
