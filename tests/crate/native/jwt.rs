//! The JWT grant end to end: keys in every accepted and refused form, the RS256 fixture byte for
//! byte, JWTs verified against the fixtures' public keys, and the exact request sent.

use coze_auth::core::jwt::assemble_jwt;
use coze_auth::{
    Clock, ErrorCode, JwtFlow, JwtFlowOptions, JwtTokenParams, KeyFormat, PrivateKey, RsaSigner,
    Scope, Signer, SystemClock, SystemRandom,
};
use futures_executor::block_on;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::sha2::Sha256;
use rsa::signature::Verifier;
use rsa::RsaPublicKey;

use super::FakeTransport;

pub(crate) const KEY_PKCS8: &str = include_str!("../../fixtures/jwt-key-pkcs8.pem");
pub(crate) const KEY_PKCS1: &str = include_str!("../../fixtures/jwt-key-pkcs1.pem");
const PUBLIC_KEY: &str = include_str!("../../fixtures/jwt-key-public.pem");
const KEY2_PKCS8: &str = include_str!("../../fixtures/jwt-key2-pkcs8.pem");
const PUBLIC_KEY2: &str = include_str!("../../fixtures/jwt-key2-public.pem");
const SIGNING_INPUT: &str = include_str!("../../fixtures/jwt-signing-input.txt");
const SIGNATURE: &[u8] = include_bytes!("../../fixtures/jwt-signature.bin");
const SIGNATURE_B64URL: &str = include_str!("../../fixtures/jwt-signature.b64url");

pub(crate) const JWT_TOKEN: &str =
    r#"{"access_token":"czs_jwt_access_1","expires_in":1893456000,"token_type":"Bearer"}"#;

/// base64 or base64url, padded or not, whitespace ignored (test helper).
pub(crate) fn b64decode(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => continue,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// The DER inside a PEM text (test helper).
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    b64decode(&body)
}

fn verify(public_pem: &str, jwt: &str) -> bool {
    let key = RsaPublicKey::from_public_key_pem(public_pem).unwrap();
    let verifier = VerifyingKey::<Sha256>::new(key);
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature = Signature::try_from(b64decode(signature).as_slice()).unwrap();
    verifier.verify(input.as_bytes(), &signature).is_ok()
}

fn flow() -> JwtFlow {
    JwtFlow::new(JwtFlowOptions {
        app_id: "1234567890".into(),
        keyid: "fixture-kid".into(),
        base_url: Some("http://127.0.0.1:9".into()),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn rs256_matches_the_openssl_fixture_byte_for_byte() {
    for pem in [KEY_PKCS8, KEY_PKCS1] {
        let signer = RsaSigner::from_pem(pem).unwrap();
        let signature = block_on(signer.sign(SIGNING_INPUT.as_bytes())).unwrap();
        assert_eq!(signature, SIGNATURE);
        assert_eq!(
            assemble_jwt(SIGNING_INPUT, &signature),
            format!("{SIGNING_INPUT}.{SIGNATURE_B64URL}")
        );
    }
    // The flow's own signing input for the fixture's claims is the fixture.
    let f = JwtFlow::new(JwtFlowOptions {
        app_id: "1234567890".into(),
        keyid: "fixture-kid".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        f.signing_input(1_800_000_000, "fixture-jti-0001", Some("user-42")),
        SIGNING_INPUT
    );
    assert!(verify(
        PUBLIC_KEY,
        &format!("{SIGNING_INPUT}.{SIGNATURE_B64URL}")
    ));
}

#[test]
fn pkcs1_is_rewrapped_exactly_as_openssl_does() {
    let from_pkcs1 = PrivateKey::from_pem(KEY_PKCS1).unwrap();
    let from_pkcs8 = PrivateKey::from_pem(KEY_PKCS8).unwrap();
    assert_eq!(from_pkcs1.source_format(), KeyFormat::Pkcs1);
    assert_eq!(from_pkcs8.source_format(), KeyFormat::Pkcs8);
    assert_eq!(from_pkcs1.modulus_bits(), 2048);
    // openssl pkcs8 -topk8 -nocrypt wrote KEY_PKCS8 from KEY_PKCS1.
    assert_eq!(from_pkcs1.pkcs8_der(), pem_der(KEY_PKCS8).as_slice());
    assert_eq!(from_pkcs1.pkcs1_der(), pem_der(KEY_PKCS1).as_slice());
    assert_eq!(from_pkcs8.pkcs8_der(), from_pkcs1.pkcs8_der());
    assert_eq!(from_pkcs8.pkcs1_der(), from_pkcs1.pkcs1_der());
    assert_eq!(
        PrivateKey::from_pkcs8_der(from_pkcs1.pkcs8_der()).unwrap(),
        from_pkcs8
    );
    let shown = format!("{from_pkcs8:?}");
    assert_eq!(
        shown,
        "PrivateKey { format: Pkcs8, modulus_bits: 2048, .. }"
    );
}

#[test]
fn every_accepted_spelling_of_a_key_signs_the_same() {
    let escaped = KEY_PKCS8.replace('\n', "\\n");
    let variants = [
        KEY_PKCS8.to_owned(),
        KEY_PKCS1.to_owned(),
        format!("\n\n   {KEY_PKCS8}  \t\n"),
        escaped.clone(),
        format!("\"{escaped}\""),
        KEY_PKCS8.replace('\n', "\r\n"),
        KEY_PKCS1.replace('\n', "\\r\\n"),
        KEY_PKCS8.trim_end().to_owned(),
        KEY_PKCS8.replace('\n', " "),
    ];
    for (i, pem) in variants.iter().enumerate() {
        let signer = RsaSigner::from_pem(pem).unwrap_or_else(|e| panic!("variant {i}: {e}"));
        assert_eq!(
            block_on(signer.sign(SIGNING_INPUT.as_bytes())).unwrap(),
            SIGNATURE,
            "variant {i}"
        );
    }
}

/// Every line of base64 in a PEM, for checking that an error quotes none of them.
fn key_material(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .map(|l| l[..16].to_owned())
        .collect()
}

#[test]
fn every_unusable_key_is_invalid_key_without_key_material() {
    let body_lines: Vec<&str> = KEY_PKCS8.lines().collect();
    let truncated_body = format!(
        "{}\n{}\n-----END PRIVATE KEY-----\n",
        body_lines[..10].join("\n"),
        ""
    );
    let corrupted = {
        // Same length and alphabet, different bytes: well-formed base64, broken DER.
        let mut lines: Vec<String> = body_lines.iter().map(|l| l.to_string()).collect();
        lines[1] = lines[1].chars().rev().collect();
        lines.join("\n")
    };
    let inconsistent = {
        // Valid structure, but a flipped bit in the private exponent: the rsa crate refuses it.
        let mut der = pem_der(KEY_PKCS1);
        der[300] ^= 0x01;
        PrivateKey::from_pkcs1_der(&der).map(|k| RsaSigner::new(&k))
    };
    assert_eq!(
        inconsistent.unwrap().unwrap_err().code,
        ErrorCode::InvalidKey
    );
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "empty"),
        ("blank", " \n\t ".into(), "empty"),
        (
            "bare base64",
            body_lines[1..body_lines.len() - 1].join(""),
            "not PEM",
        ),
        (
            "no END line",
            KEY_PKCS8.lines().take(20).collect::<Vec<_>>().join("\n"),
            "END",
        ),
        ("cut body", truncated_body, "well-formed"),
        ("corrupted body", corrupted, "well-formed"),
        (
            "encrypted PKCS#8",
            include_str!("../../fixtures/jwt-key-encrypted-pkcs8.pem").into(),
            "encrypted",
        ),
        (
            "encrypted PKCS#1",
            include_str!("../../fixtures/jwt-key-encrypted-pkcs1.pem").into(),
            "encrypted",
        ),
        (
            "EC PKCS#8",
            include_str!("../../fixtures/ec-key-pkcs8.pem").into(),
            "EC key",
        ),
        (
            "EC SEC1",
            include_str!("../../fixtures/ec-key-sec1.pem").into(),
            "EC key",
        ),
        ("public key", PUBLIC_KEY.into(), "public key"),
        (
            "RSA 1024",
            include_str!("../../fixtures/jwt-key-1024-pkcs1.pem").into(),
            "1024-bit",
        ),
        (
            "PKCS#8 labelled PKCS#1",
            KEY_PKCS8.replace("PRIVATE KEY", "RSA PRIVATE KEY"),
            "PKCS#1",
        ),
    ];
    for (name, pem, needle) in cases {
        let err = PrivateKey::from_pem(&pem).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidKey, "{name}");
        assert_eq!(err.code.as_str(), "invalid_key");
        assert!(err.message.contains(needle), "{name}: {}", err.message);
        assert!(
            err.message.contains("PKCS#8") && err.message.contains("PKCS#1"),
            "{name}"
        );
        let shown = format!("{err} {err:?}");
        for material in key_material(&pem) {
            assert!(!shown.contains(&material), "{name} leaks key material");
        }
        assert!(!shown.contains("MII"), "{name}");
        // The native signer parses with the rsa crate, and says the same.
        let signer_err = RsaSigner::from_pem(&pem).unwrap_err();
        assert_eq!(
            (signer_err.code, &signer_err.message),
            (err.code, &err.message),
            "{name}"
        );
    }
}

#[test]
fn the_grant_sends_a_verifiable_jwt_and_the_exact_request() {
    let transport = FakeTransport::answering(200, JWT_TOKEN);
    let signer = RsaSigner::from_pem(KEY_PKCS8).unwrap();
    let before = SystemClock.now_unix_seconds();
    let params = JwtTokenParams {
        scope: Some(Scope::bot_chat(&["7400000000000000001"], &[])),
        session_name: Some("end-user-7".into()),
        ..Default::default()
    };
    let token = block_on(flow().get_token(
        &transport,
        &signer,
        &SystemClock,
        &mut SystemRandom,
        &params,
    ))
    .unwrap();
    assert_eq!(token.access_token.secret(), "czs_jwt_access_1");
    assert_eq!(token.expires_in, 1_893_456_000);
    assert_eq!(token.refresh_token, None);
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));

    let requests = transport.requests.borrow();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "http://127.0.0.1:9/api/permission/oauth2/token");
    assert_eq!(
        req.headers[0],
        ("content-type".into(), "application/json".into())
    );
    assert_eq!(req.headers[1].0, "authorization");
    assert_eq!(req.headers.len(), 2);
    assert_eq!(
        req.body,
        r#"{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","duration_seconds":900,"scope":{"account_permission":{"permission_list":["Connector.botChat"]},"attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["7400000000000000001"]}}}}"#
    );
    let jwt = req.headers[1].1.strip_prefix("Bearer ").unwrap();
    assert!(verify(PUBLIC_KEY, jwt));
    assert!(!verify(PUBLIC_KEY2, jwt), "an unrelated key must reject it");

    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        String::from_utf8(b64decode(parts[0])).unwrap(),
        r#"{"alg":"RS256","typ":"JWT","kid":"fixture-kid"}"#
    );
    let claims = String::from_utf8(b64decode(parts[1])).unwrap();
    let iat: i64 = claims
        .split(r#""iat":"#)
        .nth(1)
        .and_then(|s| s.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(iat >= before && iat <= before + 5);
    let jti = claims
        .split(r#""jti":""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert_eq!(jti.len(), 22);
    assert_eq!(
        claims,
        format!(
            r#"{{"iss":"1234567890","aud":"127.0.0.1:9","iat":{iat},"exp":{},"jti":"{jti}","session_name":"end-user-7"}}"#,
            iat + 3600
        )
    );
}

#[test]
fn a_second_key_signs_differently_and_verifies_only_with_its_own_public_key() {
    let signer2 = RsaSigner::from_pem(KEY2_PKCS8).unwrap();
    let sig2 = block_on(signer2.sign(SIGNING_INPUT.as_bytes())).unwrap();
    assert_ne!(sig2, SIGNATURE);
    let jwt2 = assemble_jwt(SIGNING_INPUT, &sig2);
    assert!(verify(PUBLIC_KEY2, &jwt2));
    assert!(!verify(PUBLIC_KEY, &jwt2));
}

#[test]
fn account_and_enterprise_grants_use_their_paths() {
    let signer = RsaSigner::from_pem(KEY_PKCS1).unwrap();
    let transport = FakeTransport::answering(200, JWT_TOKEN);
    transport.push(200, JWT_TOKEN);
    let account = JwtTokenParams {
        account_id: Some("7351".into()),
        duration_seconds: 60,
        ..Default::default()
    };
    let enterprise = JwtTokenParams {
        enterprise_id: Some("ent-9".into()),
        ..Default::default()
    };
    block_on(flow().get_token(
        &transport,
        &signer,
        &SystemClock,
        &mut SystemRandom,
        &account,
    ))
    .unwrap();
    block_on(flow().get_token(
        &transport,
        &signer,
        &SystemClock,
        &mut SystemRandom,
        &enterprise,
    ))
    .unwrap();
    let requests = transport.requests.borrow();
    assert_eq!(
        requests[0].url,
        "http://127.0.0.1:9/api/permission/oauth2/account/7351/token"
    );
    assert_eq!(
        requests[0].body,
        r#"{"grant_type":"urn:ietf:params:oauth:grant-type:jwt-bearer","duration_seconds":60}"#
    );
    assert_eq!(
        requests[1].url,
        "http://127.0.0.1:9/api/permission/oauth2/enterprise_id/ent-9/token"
    );
}

#[test]
fn every_assertion_has_a_fresh_jti() {
    let mut seen = std::collections::HashSet::new();
    let f = flow();
    for _ in 0..500 {
        let input = f
            .new_signing_input(
                &JwtTokenParams::default(),
                1_800_000_000,
                &mut coze_auth::SystemRandom,
            )
            .unwrap();
        let claims = String::from_utf8(b64decode(input.split('.').nth(1).unwrap())).unwrap();
        let jti = claims
            .split(r#""jti":""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert_eq!(jti.len(), 22);
        assert!(seen.insert(jti));
    }
}

#[test]
fn out_of_range_durations_fail_before_signing_or_sending() {
    struct CountingSigner(std::cell::Cell<u32>);
    impl Signer for CountingSigner {
        async fn sign(&self, _: &[u8]) -> Result<Vec<u8>, coze_auth::Error> {
            self.0.set(self.0.get() + 1);
            Ok(vec![1, 2, 3])
        }
    }
    let signer = CountingSigner(std::cell::Cell::new(0));
    let transport = FakeTransport::answering(200, JWT_TOKEN);
    for d in [0, -1, 86_400, i64::MAX, i64::MIN] {
        let params = JwtTokenParams {
            duration_seconds: d,
            ..Default::default()
        };
        let err = block_on(flow().get_token(
            &transport,
            &signer,
            &SystemClock,
            &mut SystemRandom,
            &params,
        ))
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidArgument, "{d}");
        assert!(err.message.contains("86399"));
    }
    assert_eq!(signer.0.get(), 0);
    assert!(transport.requests.borrow().is_empty());
    for d in [1, 86_399] {
        let transport = FakeTransport::answering(200, JWT_TOKEN);
        let params = JwtTokenParams {
            duration_seconds: d,
            ..Default::default()
        };
        block_on(flow().get_token(
            &transport,
            &signer,
            &SystemClock,
            &mut SystemRandom,
            &params,
        ))
        .unwrap();
        assert!(transport.requests.borrow()[0]
            .body
            .contains(&format!(r#""duration_seconds":{d}"#)));
    }
}

#[test]
fn coze_errors_never_echo_the_jwt() {
    /// A server that quotes the assertion back in its error message.
    struct Echo;
    impl coze_auth::Transport for Echo {
        async fn send(
            &self,
            request: coze_auth::HttpRequest,
        ) -> Result<coze_auth::HttpResponse, coze_auth::Error> {
            let jwt = request.headers[1]
                .1
                .trim_start_matches("Bearer ")
                .to_owned();
            Ok(coze_auth::HttpResponse {
                status: 401,
                headers: vec![],
                body: format!(
                    r#"{{"error_code":"invalid_jwt","error_message":"kid not been registred: {jwt}"}}"#
                )
                .into_bytes(),
            })
        }
    }
    let signer = RsaSigner::from_pem(KEY_PKCS8).unwrap();
    let err = block_on(flow().get_token(
        &Echo,
        &signer,
        &SystemClock,
        &mut SystemRandom,
        &JwtTokenParams::default(),
    ))
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::OAuthError);
    assert_eq!(err.status, Some(401));
    assert!(err.message.contains("region"), "{}", err.message);
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("[redacted]"));
    assert!(!shown.contains("eyJ"), "{shown}");
}

#[test]
fn no_truncation_or_bit_flip_of_a_key_panics() {
    // Every prefix of the PEM text: an error (or, never, a different key), never a panic.
    for cut in 0..KEY_PKCS8.len() {
        if let Ok(key) = PrivateKey::from_pem(&KEY_PKCS8[..cut]) {
            assert_eq!(key.pkcs8_der(), pem_der(KEY_PKCS8).as_slice());
        }
    }
    // Every single-bit flip in the first 64 bytes of the DER (the structure), and a sample after.
    let der = pem_der(KEY_PKCS1);
    for i in (0..64).chain((64..der.len()).step_by(97)) {
        for bit in 0..8 {
            let mut bad = der.clone();
            bad[i] ^= 1 << bit;
            if let Ok(key) = PrivateKey::from_pkcs1_der(&bad) {
                let _ = RsaSigner::new(&key);
            }
            let _ = PrivateKey::from_pkcs8_der(&bad);
        }
    }
}
