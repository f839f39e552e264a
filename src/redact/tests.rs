//! Unit tests of the shapes, the assignment judgement and the engine's invariants.

use super::*;

#[test]
fn every_builtin_pattern_compiles() {
    // Rules and keywords compile lazily; a broken built-in pattern would silently switch
    // a rule (or all of them) off.
    for shape in SHAPES {
        assert!(Regex::new(shape.pattern).is_ok(), "{}", shape.kind);
    }
    let r = Redactor::default();
    assert!(r.inner.keywords().is_some(), "keyword matchers build");
    assert!(Regex::new(&r.inner.keyword_sources.0).is_ok());
    assert!(Regex::new(&r.inner.keyword_sources.1).is_ok());
    assert!(RegexSet::new(&r.inner.keyword_sources.2).is_ok());
}

/// The keyword automata fold ASCII case only, and hand texts with [`NON_ASCII_FOLDS`] to the
/// regexes: that is exact only if no other character outside ASCII is, for the regex crate's
/// `(?i)`, the same letter as an ASCII one. Checked over every code point.
#[test]
fn only_kelvin_and_long_s_fold_to_ascii_letters() {
    let letter = Regex::new("(?i)^[a-z]$").unwrap();
    let folding: Vec<char> = (0x80..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
        .collect();
    assert_eq!(folding, NON_ASCII_FOLDS.to_vec());
    for shape in SHAPES {
        for k in shape.keywords {
            assert!(k.is_ascii(), "{}: keyword {k:?} is not ASCII", shape.kind);
        }
    }
}

/// The automata find exactly the rules the keyword regexes find (what decided before), on
/// texts with keywords in every case, overlapping keywords, and the Unicode folds.
#[test]
fn keyword_automata_agree_with_the_keyword_regexes() {
    let r = Redactor::default();
    let inner = &*r.inner;
    let kw = inner.keywords().expect("built");
    let mut texts: Vec<String> = vec![
        String::new(),
        "plain words only".into(),
        "MY_SECRET_ACCESS_KEY=x and a Private Key".into(),
        "Authorization: Bearer abc; PASSWORD=hunter2; sk-ant-api03-x".into(),
        "tOkEn: passPHRASE; secret_access; ghp_ and xoxb- and AKIA".into(),
        "\u{212A}EY=\u{17F}ecret and \u{212A}ey".into(),
    ];
    for shape in SHAPES {
        for k in shape.keywords {
            texts.push(format!("x {k} y"));
            texts.push(format!("x {} y", k.to_ascii_uppercase()));
            texts.push(format!("x{}y", k.to_ascii_lowercase()));
        }
    }
    for t in &texts {
        let by_regex = inner.rules_by_regex(kw, t);
        assert_eq!(inner.rules_for(t), by_regex, "{t:?}");
    }
    assert!(!inner.rules_for("\u{212A}ey = \u{17F}ecretvalue").is_empty());
}

const UPPER_B32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Deterministic filler, so the test source holds nothing that looks like a live key to a
/// secret scanner: secrets are built from a prefix and this at run time.
fn fill(alphabet: &str, n: usize, seed: u64) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            chars[((x >> 33) as usize) % chars.len()]
        })
        .collect()
}

fn key(prefix: &str, alphabet: &str, n: usize) -> String {
    format!(
        "{prefix}{}",
        fill(alphabet, n, n as u64 + prefix.len() as u64)
    )
}

/// `before + secret + after` must become `before + [REDACTED:kind] + after`.
#[track_caller]
fn assert_redacted(kind: &str, secret: &str, before: &str, after: &str) {
    let text = format!("{before}{secret}{after}");
    let out = Redactor::default().redact(&text).into_owned();
    assert_eq!(
        out,
        format!("{before}[REDACTED:{kind}]{after}"),
        "input: {text:?}"
    );
}

#[track_caller]
fn assert_untouched(text: &str) {
    let out = Redactor::default().redact(text);
    assert!(
        matches!(out, Cow::Borrowed(_)),
        "expected no change for {text:?}, got {out:?}"
    );
}

#[test]
fn aws_keys() {
    let id = key("AKIA", UPPER_B32, 16);
    assert_redacted("aws-access-key", &id, "aws_access_key_id = ", "\n");
    assert_redacted(
        "aws-access-key",
        &key("ASIA", UPPER_B32, 16),
        "id ",
        " used",
    );
    let secret = fill(B64, 40, 7);
    assert_redacted(
        "aws-secret-key",
        &secret,
        "aws_secret_access_key = ",
        "\nregion = x",
    );
    assert_redacted("aws-secret-key", &secret, "AWS_SECRET_ACCESS_KEY=", "");
    assert_redacted("aws-secret-key", &secret, "\"SecretAccessKey\": \"", "\",");
}

#[test]
fn github_gitlab_npm_huggingface() {
    for p in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        assert_redacted("github-token", &key(p, ALNUM, 36), "token ", " ok");
    }
    let pat = format!("github_pat_{}_{}", fill(ALNUM, 22, 1), fill(ALNUM, 59, 2));
    assert_redacted("github-token", &pat, "GH=", "");
    assert_redacted(
        "github-token",
        &key("ghp_", ALNUM, 36),
        "https://x-access-token:",
        "@github.com/o/r",
    );
    assert_redacted(
        "gitlab-token",
        &key("glpat-", ALNUM, 20),
        "PRIVATE-TOKEN: ",
        "",
    );
    assert_redacted(
        "npm-token",
        &key("npm_", ALNUM, 36),
        "//registry.npmjs.org/:_authToken=",
        "\n",
    );
    assert_redacted("huggingface-token", &key("hf_", LETTERS, 34), "login ", ".");
}

#[test]
fn slack() {
    let bot = format!(
        "xoxb-{}-{}-{}",
        fill("0123456789", 11, 1),
        fill("0123456789", 12, 2),
        fill(ALNUM, 24, 3)
    );
    assert_redacted("slack-token", &bot, "SLACK=", " # bot");
    assert_redacted("slack-token", &key("xoxp-", ALNUM, 40), "", "");
    let app = format!("xapp-1-{}-{}", fill(ALNUM, 11, 4), fill(ALNUM, 30, 5));
    assert_redacted("slack-token", &app, "app token: ", "\n");
    let hook = format!(
        "https://hooks.slack.com/services/T{}/B{}/{}",
        fill(UPPER_B32, 8, 1),
        fill(UPPER_B32, 8, 2),
        fill(ALNUM, 24, 3)
    );
    assert_redacted("slack-webhook", &hook, "curl -X POST ", " -d @msg.json");
}

#[test]
fn llm_provider_keys() {
    let alnum_dash = format!("{ALNUM}-_");
    assert_redacted(
        "openai-key",
        &key("sk-proj-", &alnum_dash, 60),
        "OPENAI_API_KEY=",
        "\n",
    );
    assert_redacted(
        "openai-key",
        &key("sk-svcacct-", &alnum_dash, 60),
        "key: ",
        "",
    );
    assert_redacted(
        "openai-key",
        &key("sk-", ALNUM, 48),
        "openai.api_key = \"",
        "\"",
    );
    assert_redacted(
        "anthropic-key",
        &key("sk-ant-api03-", &alnum_dash, 93),
        "x-api-key: ",
        "\r\n",
    );
    assert_redacted(
        "anthropic-key",
        &key("sk-ant-admin01-", &alnum_dash, 93),
        "",
        " rest",
    );
    // "task-" / "disk-" are not `sk-` at a word start.
    assert_untouched(&format!("task-{}", fill(ALNUM, 30, 9)));
}

#[test]
fn stripe_google_jwt() {
    assert_redacted(
        "stripe-key",
        &key("sk_live_", ALNUM, 24),
        "Stripe.api_key = '",
        "'",
    );
    assert_redacted("stripe-key", &key("rk_live_", ALNUM, 24), "", "");
    let url_safe = format!("{ALNUM}-_");
    assert_redacted(
        "google-api-key",
        &key("AIza", &url_safe, 35),
        "?key=",
        "&q=1",
    );
    let jwt = format!(
        "eyJ{}.eyJ{}.{}",
        fill(&url_safe, 30, 1),
        fill(&url_safe, 60, 2),
        fill(&url_safe, 43, 3)
    );
    assert_redacted("jwt", &jwt, "id_token ", " expires");
    // Already covered by the JWT shape, so the bearer rule sees a marker and stops.
    assert_redacted("jwt", &jwt, "Authorization: Bearer ", "");
}

#[test]
fn bearer_and_basic_auth() {
    let tok = fill(&format!("{ALNUM}._-"), 40, 11);
    assert_redacted(
        "bearer",
        &tok,
        "curl -H 'Authorization: Bearer ",
        "' https://api",
    );
    assert_redacted("bearer", &tok, "authorization: bearer ", "");
    let basic = fill(B64, 24, 3);
    assert_redacted("basic-auth", &basic, "Authorization: Basic ", "\n");
    // Prose and placeholders stay.
    assert_untouched("send a Bearer token in the Authorization header");
    assert_untouched("Authorization: Bearer $TOKEN");
    assert_untouched("Authorization: Bearer <token>");
    assert_untouched("bearer authentication");
}

#[test]
fn url_credentials() {
    assert_redacted(
        "url-credentials",
        "s3cr3t-pw",
        "DATABASE_URL is postgres://app:",
        "@db:5432/app",
    );
    assert_untouched("postgres://app:$DB_PASSWORD@db:5432/app");
    assert_untouched("http://user:password@proxy.example:3128");
    assert_untouched("scheme://[user[:password]@]host[:port]/path");
    assert_untouched("see https://example.com:8080/path and git@github.com:o/r.git");
}

#[test]
fn private_key_block_keeps_lines() {
    let body: Vec<String> = (0..5).map(|i| fill(B64, 64, i)).collect();
    let text = format!(
        "here is the key:\n-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\nand after",
        body.join("\n")
    );
    let out = Redactor::default().redact(&text).into_owned();
    assert_eq!(out.lines().count(), text.lines().count());
    let expected = format!(
        "here is the key:\n[REDACTED:private-key]{}\nand after",
        "\n".repeat(body.len() + 1)
    );
    assert_eq!(out, expected);
    for line in &body {
        assert!(!out.contains(line.as_str()));
    }
}

#[test]
fn private_key_variants() {
    let body = fill(B64, 64, 1);
    // CRLF line ends are kept as CRLF.
    let crlf =
        format!("-----BEGIN PRIVATE KEY-----\r\n{body}\r\n-----END PRIVATE KEY-----\r\nnext");
    assert_eq!(
        Redactor::default().redact(&crlf),
        "[REDACTED:private-key]\r\n\r\n\r\nnext"
    );
    // Escaped newlines inside a JSON string: one line, one marker.
    let json = format!(
        "{{\"key\": \"-----BEGIN OPENSSH PRIVATE KEY-----\\n{body}\\n-----END OPENSSH PRIVATE KEY-----\\n\"}}"
    );
    assert_eq!(
        Redactor::default().redact(&json),
        "{\"key\": \"[REDACTED:private-key]\\n\"}"
    );
    // A truncated key (no END) loses its base64 lines but keeps them as lines.
    let cut =
        format!("$ cat id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n{body}\n$ ls");
    let out = Redactor::default().redact(&cut).into_owned();
    assert_eq!(out, "$ cat id_ed25519\n[REDACTED:private-key]\n\n\n$ ls");
}

#[test]
fn assignments_keep_the_name() {
    let v = format!(
        "{}-9{}",
        fill(ALNUM, 10, 5),
        fill(&format!("{ALNUM}!#%^"), 10, 6)
    );
    assert_redacted("secret-assignment", &v, "DB_PASSWORD=", "\n");
    assert_redacted(
        "secret-assignment",
        &v,
        "export MY_SERVICE_API_KEY=",
        " && run",
    );
    assert_redacted(
        "secret-assignment",
        &v,
        "export MY_SERVICE_API_KEY=\"",
        "\"",
    );
    assert_redacted("secret-assignment", &v, "STRIPE_KEY=", "");
    assert_redacted("secret-assignment", &v, "SESSION_SECRET: ", "\n");
    assert_redacted("secret-assignment", &v, "  password: ", "\n  user: app");
    assert_redacted(
        "secret-assignment",
        &v,
        "{\"apiKey\": \"",
        "\", \"user\": \"x\"}",
    );
    assert_redacted(
        "secret-assignment",
        &v,
        "{\\\"client_secret\\\":\\\"",
        "\\\"}",
    );
    assert_redacted("secret-assignment", &v, "passwd = '", "'");
    assert_redacted("secret-assignment", &v, "mysql --password=", " -u root");
    assert_redacted("secret-assignment", &v, "$env:AUTH_TOKEN = \"", "\"");
    assert_redacted("secret-assignment", &v, "token := \"", "\"");
    assert_redacted("secret-assignment", &v, "'db_password' => '", "',");
    // Environment style takes letters-only values too.
    assert_redacted("secret-assignment", "correcthorsebattery", "PASSWORD=", "");
    // Unquoted values in YAML: digits, or a random mix of cases, mark a secret.
    assert_redacted(
        "secret-assignment",
        "8f3a9c1e7b2d4f60",
        "client_secret: ",
        "",
    );
    assert_redacted(
        "secret-assignment",
        "aXjNASZiyEcfcyxNmTyE",
        "  password: ",
        "\n",
    );
}

#[test]
fn placeholders_and_empty_values_stay() {
    for text in [
        "PASSWORD=",
        "PASSWORD=\n",
        "PASSWORD=$DB_PASSWORD",
        "PASSWORD=${DB_PASSWORD}",
        "PASSWORD=\"${DB_PASSWORD}\"",
        "export API_KEY=$(cat ~/.key)",
        "api_key: <your-api-key>",
        "token: \"{{ secrets.GITHUB_TOKEN }}\"",
        "token: ${{ secrets.GITHUB_TOKEN }}",
        "password: ********",
        "SECRET_KEY=...",
        "API_KEY=your_api_key_here",
        "password: \"\"",
        "TOKEN=abc",
        "password: null",
        "%API_KEY%",
        "set API_KEY=%API_KEY%",
    ] {
        assert_untouched(text);
    }
}

#[test]
fn code_stays() {
    for text in [
        "let token = self.next_token();",
        "    password: String,",
        "pub api_key: Option<String>,",
        "let api_key = config.api_key;",
        "if token == expected {",
        "if token === undefined {",
        "secret_key: &str",
        "token: Token,",
        "const primary_key = 'id_1234567';",
        "tokens = tokenizer.tokenize(text)",
        "max_tokens: 4096",
        "API_KEY = os.environ[\"API_KEY\"]",
        "API_KEY = os.getenv('API_KEY')",
        "match token::Kind::Ident {",
        "pub const IFLA_INET6_TOKEN: _bindgen_ty_5 = _bindgen_ty_5::IFLA_INET6_TOKEN;",
        "const API_KEY: Secret2 = load();",
        "  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        "password_hash = hash_password(password)",
        "the keyboard key: enter",
        "let indent = |token: Token| {",
        "let token = token?;",
        "Error::Token => \"invalid token\",",
        "WWW-Authenticate: Bearer realm=\"example\"",
    ] {
        assert_untouched(text);
    }
}

#[test]
fn clean_text_is_borrowed() {
    let text = "fn main() {\n    println!(\"hello\");\n}\nThe monkey ate 12 bananas at https://example.com/a?b=c.\n";
    assert_untouched(text);
    let long = text.repeat(1000);
    assert_untouched(&long);
    assert_untouched("");
}

#[test]
fn redact_string_does_not_copy_clean_text() {
    let s = String::from("nothing to see here");
    let ptr = s.as_ptr();
    let out = Redactor::default().redact_string(s);
    assert_eq!(out.as_ptr(), ptr);
    let dirty = format!("k {}", key("ghp_", ALNUM, 36));
    assert_eq!(
        Redactor::default().redact_string(dirty),
        "k [REDACTED:github-token]"
    );
}

#[test]
fn several_secrets_in_one_text_keep_lines_and_are_stable() {
    let text = format!(
        "line one\nexport GITHUB_TOKEN={}\nAWS key {} and AWS_SECRET_ACCESS_KEY={}\n-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\npassword: \"{}\"\nlast line",
        key("ghp_", ALNUM, 36),
        key("AKIA", UPPER_B32, 16),
        fill(B64, 40, 2),
        fill(B64, 64, 3),
        fill(ALNUM, 16, 4),
    );
    let r = Redactor::default();
    let once = r.redact(&text).into_owned();
    assert_eq!(
        once,
        "line one\nexport GITHUB_TOKEN=[REDACTED:github-token]\nAWS key [REDACTED:aws-access-key] and AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key]\n[REDACTED:private-key]\n\n\npassword: \"[REDACTED:secret-assignment]\"\nlast line"
    );
    assert_eq!(once.lines().count(), text.lines().count());
    // Redacting redacted text changes nothing: committed lines can be redacted the same
    // way and compared.
    assert!(matches!(r.redact(&once), Cow::Borrowed(_)));
}

#[test]
fn line_breaks_are_never_added_or_removed() {
    let key_body = fill(B64, 64, 1);
    let r =
        Redactor::new(&[r"(?s)<<<.*?>>>".to_string(), r"x\r".to_string()]).expect("valid patterns");
    let texts = [
        format!("a\r\n-----BEGIN PRIVATE KEY-----\r\n{key_body}\r\n-----END PRIVATE KEY-----\r\nb"),
        format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nVersion: 1\n{key_body}\n"),
        "<<<one\ntwo\r\nthree>>> tail\n".to_string(),
        "x\r\nx\r\n".to_string(),
        format!(
            "PASSWORD={}\nTOKEN: \"{}\"\n\n",
            fill(ALNUM, 12, 2),
            fill(ALNUM, 30, 3)
        ),
    ];
    for text in &texts {
        let out = r.redact(text);
        assert!(matches!(out, Cow::Owned(_)), "nothing redacted in {text:?}");
        assert_eq!(
            out.matches('\n').count(),
            text.matches('\n').count(),
            "{text:?} -> {out:?}"
        );
        assert_eq!(out.lines().count(), text.lines().count());
    }
}

#[test]
fn extra_patterns_add_to_defaults() {
    let r = Redactor::new(&[
        r"ACME-[0-9]{6}".to_string(),
        r"internal_id=(?P<secret>[a-z]{8})".to_string(),
    ])
    .expect("valid patterns");
    let gh = key("ghp_", ALNUM, 36);
    let text = format!("ACME-123456 internal_id=abcdefgh {gh}");
    assert_eq!(
        r.redact(&text),
        "[REDACTED:custom] internal_id=[REDACTED:custom] [REDACTED:github-token]"
    );
    // A custom pattern that spans lines still keeps the line count.
    let r = Redactor::new(&[r"(?s)BEGIN SECRET.*?END SECRET".to_string()]).expect("valid");
    assert_eq!(
        r.redact("a\nBEGIN SECRET\nx\nEND SECRET b"),
        "a\n[REDACTED:custom]\n\n b"
    );
    // A pattern that can match empty text never inserts markers.
    let r = Redactor::new(&["z*".to_string()]).expect("valid");
    assert!(matches!(r.redact("abc"), Cow::Borrowed(_)));
}

#[test]
fn invalid_extra_pattern_names_it() {
    let err = Redactor::new(&["(unclosed".to_string()]).expect_err("invalid");
    let msg = err.to_string();
    assert_eq!(msg, "invalid redaction pattern '(unclosed': unclosed group");
    assert!(matches!(err, Error::User(_)));
    assert_eq!(
        check_pattern("[z-a]"),
        Err("invalid character class range, the start must be <= the end".to_string())
    );
    assert_eq!(check_pattern("ok+"), Ok(()));
}

#[test]
fn redactor_is_shareable() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Redactor>();
    let r = Redactor::default();
    let gh = key("ghp_", ALNUM, 36);
    let handle = std::thread::spawn(move || r.redact(&gh).into_owned());
    assert_eq!(
        handle.join().ok().as_deref(),
        Some("[REDACTED:github-token]")
    );
}

#[test]
fn entropy_is_bits_per_char() {
    assert_eq!(entropy(""), 0.0);
    assert_eq!(entropy("aaaa"), 0.0);
    assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    assert!((entropy("aabb") - 1.0).abs() < 1e-9);
}
