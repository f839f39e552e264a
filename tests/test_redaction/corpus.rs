//! The corpus of the redaction tests: realistic secret shapes (built at run time from a prefix
//! and deterministic filler, so this file holds nothing a secret scanner would flag as live)
//! and ordinary code lines that must come out unchanged.

/// One secret shape: how it appears in text (`line`) and the part that must never be stored.
pub struct Shape {
    pub name: &'static str,
    pub line: String,
    pub secret: String,
}

const HEX: &str = "0123456789abcdef";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
pub const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER_B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

/// Deterministic filler from `alphabet`.
pub fn fill(alphabet: &str, n: usize, seed: u64) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chars[(x % chars.len() as u64) as usize]
        })
        .collect()
}

/// A PEM-style block of `lines` full body lines of 64 base64 characters.
fn pem(label: &str, lines: usize, seed: u64) -> (String, String) {
    let body: Vec<String> = (0..lines).map(|i| fill(B64, 64, seed + i as u64)).collect();
    let block = format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----",
        body.join("\n")
    );
    (block, body[1].clone())
}

/// Every shape, each with its own seed.
pub fn shapes() -> Vec<Shape> {
    let mut v = Vec::new();
    let mut seed = 1000u64;
    let mut add = |name: &'static str, make: &dyn Fn(u64) -> (String, String)| {
        seed += 1;
        let (line, secret) = make(seed);
        v.push(Shape { name, line, secret });
    };
    let tok = |prefix: &str, alphabet: &str, n: usize, s: u64| -> String {
        format!("{prefix}{}", fill(alphabet, n, s))
    };
    macro_rules! plain {
        ($name:expr, $fmt:expr, $prefix:expr, $alpha:expr, $n:expr) => {
            add($name, &|s| {
                let t = tok($prefix, $alpha, $n, s);
                (format!($fmt, t), t)
            })
        };
    }
    plain!(
        "anthropic",
        "export ANTHROPIC_KEY_VALUE {}",
        "sk-ant-api03-",
        URLSAFE,
        93
    );
    plain!(
        "anthropic-admin",
        "key {} in use",
        "sk-ant-admin01-",
        URLSAFE,
        80
    );
    plain!(
        "openai-project",
        "client = OpenAI(api_key='{}')",
        "sk-proj-",
        URLSAFE,
        100
    );
    plain!("openai-legacy", "the key {} was rotated", "sk-", ALNUM, 48);
    plain!("openai-svcacct", "OPENAI={}", "sk-svcacct-", URLSAFE, 60);
    plain!("openrouter", "openrouter key {}", "sk-or-v1-", HEX, 64);
    plain!("groq", "groq: {}", "gsk_", ALNUM, 52);
    plain!("xai", "xai key {}", "xai-", ALNUM, 80);
    plain!("perplexity", "use {}", "pplx-", ALNUM, 48);
    plain!("replicate", "REPLICATE {}", "r8_", ALNUM, 37);
    plain!("huggingface", "hf token {}", "hf_", ALNUM, 34);
    plain!(
        "aws-access-key",
        "aws configure set aws_access_key_id {}",
        "AKIA",
        UPPER_B32,
        16
    );
    plain!("aws-sts-key", "temporary {}", "ASIA", UPPER_B32, 16);
    add("aws-secret-key", &|s| {
        let t = fill(B64, 40, s);
        (format!("aws_secret_access_key = {t}"), t)
    });
    plain!(
        "github-classic",
        "git clone https://github.com/x/y # {}",
        "ghp_",
        ALNUM,
        36
    );
    plain!("github-fine-grained", "GH {}", "github_pat_", ALNUM, 82);
    plain!("github-oauth", "oauth {}", "gho_", ALNUM, 36);
    plain!("github-app", "installation {}", "ghs_", ALNUM, 36);
    plain!("gitlab-pat", "gitlab {}", "glpat-", URLSAFE, 20);
    plain!("gitlab-runner", "runner {}", "glrt-", URLSAFE, 24);
    plain!("slack-bot", "slack {}", "xoxb-", LOWER_ALNUM, 40);
    plain!("slack-app", "app level {}", "xapp-1-", UPPER_ALNUM, 40);
    add("slack-webhook", &|s| {
        let t = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            fill(UPPER_ALNUM, 8, s),
            fill(UPPER_ALNUM, 8, s + 1),
            fill(ALNUM, 24, s + 2)
        );
        (format!("curl -X POST {t}"), t)
    });
    plain!("stripe-live", "stripe {}", "sk_live_", ALNUM, 24);
    plain!("stripe-restricted", "restricted {}", "rk_live_", ALNUM, 24);
    plain!("stripe-webhook", "endpoint secret {}", "whsec_", ALNUM, 32);
    plain!("google-api", "maps {}", "AIza", URLSAFE, 35);
    plain!(
        "google-oauth-secret",
        "client secret {}",
        "GOCSPX-",
        URLSAFE,
        28
    );
    plain!(
        "npm",
        "//registry.npmjs.org/:_authToken={}",
        "npm_",
        ALNUM,
        36
    );
    plain!(
        "pypi",
        "twine upload -p {}",
        "pypi-AgEIcHlwaS5vcmc",
        URLSAFE,
        60
    );
    add("sendgrid", &|s| {
        let t = format!("SG.{}.{}", fill(URLSAFE, 22, s), fill(URLSAFE, 43, s + 1));
        (format!("sendgrid {t}"), t)
    });
    plain!("shopify-access", "shop {}", "shpat_", HEX, 32);
    plain!("shopify-shared", "shared {}", "shpss_", HEX, 32);
    plain!("digitalocean", "doctl auth init -t {}", "dop_v1_", HEX, 64);
    plain!("vault", "VAULT {}", "hvs.", URLSAFE, 90);
    plain!("doppler", "doppler {}", "dp.pt.", ALNUM, 43);
    plain!("linear", "linear {}", "lin_api_", ALNUM, 40);
    plain!("notion-legacy", "notion {}", "secret_", ALNUM, 43);
    plain!("notion-new", "notion {}", "ntn_", ALNUM, 46);
    plain!("databricks", "databricks {}", "dapi", HEX, 32);
    plain!("age", "age key {}", "AGE-SECRET-KEY-1", BECH32, 58);
    plain!("mailgun", "mailgun api {}", "key-", HEX, 32);
    plain!("twilio", "twilio api key {}", "SK", HEX, 32);
    plain!("atlassian", "jira {}", "ATATT3", URLSAFE, 180);
    add("grafana-service", &|s| {
        let t = format!("glsa_{}_{}", fill(ALNUM, 32, s), fill(HEX, 8, s + 1));
        (format!("grafana {t}"), t)
    });
    plain!("grafana-cloud", "cloud {}", "glc_", ALNUM, 60);
    plain!("sentry-org", "SENTRY {}", "sntrys_eyJ", URLSAFE, 120);
    plain!("supabase", "supabase {}", "sbp_", HEX, 40);
    add("postman", &|s| {
        let t = format!("PMAK-{}-{}", fill(HEX, 24, s), fill(HEX, 34, s + 1));
        (format!("postman {t}"), t)
    });
    plain!("docker", "docker login -p {}", "dckr_pat_", URLSAFE, 27);
    plain!("heroku", "heroku {}", "HRKU-AA", URLSAFE, 58);
    plain!("square-secret", "square {}", "sq0csp-", URLSAFE, 43);
    plain!("square-access", "square access {}", "EAAA", URLSAFE, 60);
    plain!("planetscale", "pscale {}", "pscale_tkn_", URLSAFE, 43);
    plain!("pulumi", "pulumi {}", "pul-", HEX, 40);
    plain!("newrelic", "newrelic {}", "NRAK-", UPPER_ALNUM, 27);
    add("terraform", &|s| {
        let t = format!(
            "{}.atlasv1.{}",
            fill(ALNUM, 14, s),
            fill(URLSAFE, 67, s + 1)
        );
        (format!("terraform {t}"), t)
    });
    plain!("buildkite", "buildkite {}", "bkua_", HEX, 40);
    add("tailscale", &|s| {
        let t = format!(
            "tskey-auth-{}-{}",
            fill(ALNUM, 12, s),
            fill(ALNUM, 30, s + 1)
        );
        (format!("tailscale up --authkey={t}"), t)
    });
    plain!("onepassword", "OP {}", "ops_eyJ", URLSAFE, 200);
    plain!("alibaba", "aliyun {}", "LTAI", ALNUM, 20);
    add("mapbox", &|s| {
        let t = format!(
            "sk.eyJ{}.{}",
            fill(URLSAFE, 40, s),
            fill(URLSAFE, 22, s + 1)
        );
        (format!("mapbox {t}"), t)
    });
    add("langsmith", &|s| {
        let t = format!("lsv2_pt_{}_{}", fill(HEX, 32, s), fill(HEX, 10, s + 1));
        (format!("langsmith {t}"), t)
    });
    add("jwt", &|s| {
        let t = format!(
            "eyJhbGciOiJIUzI1NiJ9.eyJ{}.{}",
            fill(URLSAFE, 40, s),
            fill(URLSAFE, 43, s + 1)
        );
        (format!("cookie session={t}"), t)
    });
    add("rsa-private-key", &|s| pem("RSA PRIVATE KEY", 6, s));
    add("openssh-private-key", &|s| pem("OPENSSH PRIVATE KEY", 5, s));
    add("ec-private-key", &|s| pem("EC PRIVATE KEY", 3, s));
    add("pgp-private-key", &|s| pem("PGP PRIVATE KEY BLOCK", 6, s));
    add("private-key-json-escaped", &|s| {
        let (block, secret) = pem("PRIVATE KEY", 4, s);
        (
            format!("\"private_key\": \"{}\\n\"", block.replace('\n', "\\n")),
            secret,
        )
    });
    // A failing command's output cut by the reader's 2 KiB tail: body lines and END only.
    add("private-key-tail", &|s| {
        let body: Vec<String> = (0..3).map(|i| fill(B64, 64, s + i)).collect();
        (
            format!("{}\n-----END RSA PRIVATE KEY-----", body.join("\n")),
            body[0].clone(),
        )
    });
    add("azure-storage", &|s| {
        let t = format!("{}==", fill(B64, 86, s));
        (
            format!(
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={t};EndpointSuffix=core.windows.net"
            ),
            t,
        )
    });
    add("azure-sas", &|s| {
        let t = format!("{}%3D", fill(ALNUM, 43, s));
        (
            format!("https://acct.blob.core.windows.net/c/f?sv=2022-11-02&ss=b&sp=r&sig={t}"),
            t,
        )
    });
    add("azure-ad-client-secret", &|s| {
        let t = format!("{}8Q~{}", fill(ALNUM, 3, s), fill(URLSAFE, 34, s + 1));
        (format!("az login --service-principal -p {t}"), t)
    });
    add("datadog-app-header", &|s| {
        let t = fill(HEX, 40, s);
        (
            format!("curl -H \"DD-APPLICATION-KEY: {t}\" https://api.datadoghq.com"),
            t,
        )
    });
    add("datadog-api-header", &|s| {
        let t = fill(HEX, 32, s);
        (format!("-H 'DD-API-KEY: {t}'"), t)
    });
    add("redis-url-no-user", &|s| {
        let t = fill(ALNUM, 20, s);
        (format!("REDIS_URL=redis://:{t}@cache.internal:6379/0"), t)
    });
    add("postgres-url", &|s| {
        let t = fill(ALNUM, 18, s);
        (format!("psql postgres://app:{t}@db.internal:5432/app"), t)
    });
    add("curl-user", &|s| {
        let t = fill(ALNUM, 24, s);
        (format!("curl -u deploy:{t} https://ci.example.com/api"), t)
    });
    add("sshpass", &|s| {
        let t = fill(ALNUM, 14, s);
        (format!("sshpass -p '{t}' ssh root@10.0.0.5"), t)
    });
    add("mysql-p", &|s| {
        let t = fill(ALNUM, 14, s);
        (format!("mysql -u root -p{t} -h db app"), t)
    });
    add("netrc", &|s| {
        let t = fill(ALNUM, 20, s);
        (format!("machine api.example.com login bot password {t}"), t)
    });
    add("secret-key-base", &|s| {
        let t = fill(HEX, 128, s);
        (format!("SECRET_KEY_BASE={t}"), t)
    });
    add("kubeconfig-client-key", &|s| {
        let t = fill(B64, 120, s);
        (format!("    client-key-data: {t}"), t)
    });
    add("discord-bot", &|s| {
        let t = format!(
            "M{}.{}.{}",
            fill(URLSAFE, 25, s),
            fill(URLSAFE, 6, s + 1),
            fill(URLSAFE, 38, s + 2)
        );
        (format!("Authorization: Bot {t}"), t)
    });
    add("telegram-bot", &|s| {
        let t = format!(
            "{}:AA{}",
            fill("0123456789", 10, s),
            fill(URLSAFE, 33, s + 1)
        );
        (format!("curl https://api.telegram.org/bot{t}/getMe"), t)
    });
    add("passphrase-with-spaces", &|_| {
        let t = "correct horse battery staple".to_string();
        (format!("PASSWORD=\"{t}\""), t)
    });
    add("bearer-header", &|s| {
        let t = fill(URLSAFE, 40, s);
        (format!("Authorization: Bearer {t}"), t)
    });
    add("basic-header", &|s| {
        let t = format!("{}==", fill(B64, 30, s));
        (format!("Authorization: Basic {t}"), t)
    });
    add("env-api-key", &|s| {
        let t = fill(ALNUM, 32, s);
        (format!("STRIPE_API_KEY={t}"), t)
    });
    add("json-password", &|s| {
        let t = fill(ALNUM, 16, s);
        (format!("{{\"user\": \"admin\", \"password\": \"{t}\"}}"), t)
    });
    add("yaml-client-secret", &|s| {
        let t = fill(ALNUM, 40, s);
        (format!("  client_secret: {t}"), t)
    });
    add("cli-token-flag", &|s| {
        let t = fill(ALNUM, 30, s);
        (format!("deploy --token={t} --env prod"), t)
    });
    add("database-password-env", &|s| {
        let t = fill(ALNUM, 20, s);
        (format!("export DATABASE_PASSWORD={t}"), t)
    });
    add("generic-high-entropy", &|s| {
        let t = fill(ALNUM, 32, s);
        (format!("stripeSecretLive: {t}"), t)
    });
    add("generic-auth-header-var", &|s| {
        let t = fill(ALNUM, 28, s);
        (format!("AUTH_HEADER_VALUE=\"{t}\""), t)
    });
    v
}

/// Ordinary lines that must come out of the redactor byte for byte.
pub const FALSE_POSITIVES: &[&str] = &[
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "    sha: 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "git cherry-pick 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "let id = Uuid::parse_str(\"550e8400-e29b-41d4-a716-446655440000\")?;",
    "request_id: 123e4567-e89b-12d3-a456-426614174000",
    "session_token_id = \"550e8400-e29b-41d4-a716-446655440000\"",
    "assert_eq!(b64encode(b\"hello world\"), \"aGVsbG8gd29ybGQ=\");",
    "const FIXTURE: &str = \"SGVsbG8sIFdvcmxkIQ==\";",
    "data = base64.b64decode(\"dGhpcyBpcyBqdXN0IHRlc3QgZGF0YQ==\")",
    "color: #ff00aa;",
    "  --accent-token: #1e90ff;",
    "background: #fff; border-color: #00000080;",
    "existingSecret: postgres-credentials",
    "  existingSecret: \"redis-auth\"",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "token = sha256_hmac_signature_v2",
    "password: String,",
    "let token = self.next_token()?;",
    "if password.is_empty() { return Err(Error::EmptyPassword); }",
    "token: Option<Token>,",
    "secret = os.environ[\"APP_SECRET\"]",
    "API_KEY=${API_KEY}",
    "password: \"<your-password>\"",
    "OPENAI_API_KEY=sk-...",
    "api_key = \"YOUR_API_KEY_HERE\"",
    "PASSWORD=changeme",
    "\"password\": \"\",",
    "error: \"invalid token\"",
    "fn verify_token(token: &str) -> bool {",
    "SELECT id, email FROM users WHERE password_hash IS NULL;",
    "primary_key: id",
    "cache_key = format!(\"{user}:{page}\");",
    "sort_key: created_at",
    "The monkey ate 12 bananas at https://example.com/a?b=c.",
    "git push -u origin main",
    "docker run -u 1000:1000 -v $PWD:/src image",
    "ssh-keygen -t ed25519 -C \"dev@example.com\"",
    "let ask = TASK_SKIP + DISK_SIZE;",
    "fn discord_bot_name() -> &'static str { \"helper\" }",
    "http://localhost:8080/api/v1/users",
    "postgres://localhost:5432/app",
    "mysql -u root -p -h localhost",
    "curl -sSfL https://example.com/install.sh | sh",
    "Authorization: Bearer <token>",
    "Authorization: Bearer $TOKEN",
    "The Bearer token is read from the environment.",
    "print(f\"{key}: {value}\")",
    "const MAX_TOKENS: usize = 4096;",
    "max_tokens: 1500",
    "token_count = len(tokens)",
    "private_key_path: ~/.ssh/id_ed25519",
    "secretName: app-tls",
    "auth: { type: 'oauth', scopes: ['repo'] }",
    "AUTHOR_EMAIL=dev@example.com",
    "version = \"1.13.0\"",
    "hash = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
    "checksum_sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "-----BEGIN PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "key-value store",
    "monkey-patch the SK module",
];
