//! Just enough DER (X.690) to check RSA private keys and move them between their two containers:
//! PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2) and PKCS#8 `PrivateKeyInfo` (RFC 5208, RFC 5958).
//!
//! WebCrypto imports only PKCS#8, the `rsa` crate and OpenSSL read both, and the Coze console
//! hands out PKCS#8 while older tooling writes PKCS#1: so the core checks either, keeps the
//! PKCS#1 key and rewraps it as PKCS#8 exactly as `openssl pkcs8 -topk8 -nocrypt` does. The
//! checks are strict (definite minimal lengths, positive minimal integers, nothing trailing), so a
//! key accepted here is one that every signer accepts.

use crate::prelude::*;

const TAG_INTEGER: u8 = 0x02;
const TAG_OCTET_STRING: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
/// `attributes [0] IMPLICIT Attributes` of PrivateKeyInfo.
const TAG_ATTRIBUTES: u8 = 0xa0;
/// `publicKey [1] IMPLICIT BIT STRING` of OneAsymmetricKey (PKCS#8 v2).
const TAG_PUBLIC_KEY: u8 = 0x81;

/// 1.2.840.113549.1.1.1 rsaEncryption, the content octets.
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// 1.2.840.113549.1.1.10 id-RSASSA-PSS: an RSA key restricted to PSS, unusable for RS256.
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
/// 1.2.840.10045.2.1 id-ecPublicKey.
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// 1.3.101.110 to 1.3.101.113: X25519, X448, Ed25519, Ed448.
const OID_EDWARDS_PREFIX: &[u8] = &[0x2b, 0x65];
/// 1.2.840.10040.4.1 DSA.
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

/// Smallest RSA modulus accepted: RFC 7518 §3.3 requires 2048 bits for RS256.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus accepted (the `rsa` crate's limit).
pub const MAX_RSA_BITS: usize = 4096;

/// Why a DER key was refused. Carries no key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyProblem {
    /// Not well-formed DER of the expected structure (or cut short).
    Malformed,
    /// A PKCS#8 key of another algorithm; the name says which.
    NotRsa(&'static str),
    /// An RSA key limited to RSASSA-PSS.
    RsaPss,
    /// A multi-prime RSA key (PKCS#1 version 1).
    MultiPrime,
    /// A modulus outside [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`]; the size found.
    Size(usize),
    /// An unusable public exponent or an even modulus.
    BadParameters,
}

/// Reads DER elements one after another.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.bytes.first().copied()
    }

    /// The next element's tag and content, with a definite length in minimal form.
    fn element(&mut self) -> Result<(u8, &'a [u8]), KeyProblem> {
        let (&tag, rest) = self.bytes.split_first().ok_or(KeyProblem::Malformed)?;
        let (&first, mut rest) = rest.split_first().ok_or(KeyProblem::Malformed)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            // 0x80 is BER's indefinite length; more than 4 length bytes is absurd for a key.
            if count == 0 || count > 4 {
                return Err(KeyProblem::Malformed);
            }
            let (len_bytes, after) = rest.split_at_checked(count).ok_or(KeyProblem::Malformed)?;
            rest = after;
            if len_bytes.first() == Some(&0) {
                return Err(KeyProblem::Malformed); // not minimal
            }
            let len = len_bytes
                .iter()
                .fold(0usize, |n, &b| (n << 8) | usize::from(b));
            if len < 0x80 {
                return Err(KeyProblem::Malformed); // short form was required
            }
            len
        };
        let (content, after) = rest.split_at_checked(len).ok_or(KeyProblem::Malformed)?;
        self.bytes = after;
        Ok((tag, content))
    }

    /// The content of the next element, which must have tag `tag`.
    fn expect(&mut self, tag: u8) -> Result<&'a [u8], KeyProblem> {
        match self.element()? {
            (t, content) if t == tag => Ok(content),
            _ => Err(KeyProblem::Malformed),
        }
    }

    /// The next INTEGER, which must be non-negative and minimally encoded; returns its magnitude
    /// without the sign octet.
    fn unsigned_integer(&mut self) -> Result<&'a [u8], KeyProblem> {
        let content = self.expect(TAG_INTEGER)?;
        match content {
            [] => Err(KeyProblem::Malformed),
            [b, ..] if b & 0x80 != 0 => Err(KeyProblem::Malformed), // negative
            [0, next, ..] if next & 0x80 == 0 => Err(KeyProblem::Malformed), // not minimal
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            _ => Ok(content),
        }
    }

    /// The next element, which must be a small INTEGER; its value.
    fn small_integer(&mut self) -> Result<u64, KeyProblem> {
        let magnitude = self.unsigned_integer()?;
        if magnitude.len() > 8 {
            return Err(KeyProblem::Malformed);
        }
        Ok(magnitude.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }
}

/// Bits in a big-endian magnitude without leading zero octets.
fn bit_length(magnitude: &[u8]) -> usize {
    match magnitude.first() {
        None => 0,
        Some(&first) => magnitude.len() * 8 - first.leading_zeros() as usize,
    }
}

/// Checks a PKCS#1 `RSAPrivateKey` (two-prime, the whole input) and returns its modulus size
/// in bits.
pub(crate) fn check_pkcs1(der: &[u8]) -> Result<usize, KeyProblem> {
    let mut outer = Reader::new(der);
    let body = outer.expect(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return Err(KeyProblem::Malformed);
    }
    let mut r = Reader::new(body);
    match r.small_integer()? {
        0 => {}
        1 => return Err(KeyProblem::MultiPrime),
        _ => return Err(KeyProblem::Malformed),
    }
    let modulus = r.unsigned_integer()?;
    let exponent = r.unsigned_integer()?;
    // privateExponent, prime1, prime2, exponent1, exponent2, coefficient
    for _ in 0..6 {
        r.unsigned_integer()?;
    }
    if !r.is_empty() {
        return Err(KeyProblem::Malformed);
    }
    let bits = bit_length(modulus);
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err(KeyProblem::Size(bits));
    }
    // The `rsa` crate's limits: an odd modulus, an odd exponent in 3..2^33.
    let e = match exponent {
        [] => 0,
        e if e.len() > 5 => u64::MAX,
        e => e.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)),
    };
    let modulus_odd = modulus.last().is_some_and(|b| b & 1 == 1);
    if !modulus_odd || !(3..1 << 33).contains(&e) || e & 1 == 0 {
        return Err(KeyProblem::BadParameters);
    }
    Ok(bits)
}

/// The PKCS#1 key inside a PKCS#8 `PrivateKeyInfo` (v1 or v2), after checking the container
/// says rsaEncryption.
pub(crate) fn pkcs1_in_pkcs8(der: &[u8]) -> Result<&[u8], KeyProblem> {
    let mut outer = Reader::new(der);
    let body = outer.expect(TAG_SEQUENCE)?;
    if !outer.is_empty() {
        return Err(KeyProblem::Malformed);
    }
    let mut r = Reader::new(body);
    if r.small_integer()? > 1 {
        return Err(KeyProblem::Malformed);
    }
    let mut algorithm = Reader::new(r.expect(TAG_SEQUENCE)?);
    let oid = algorithm.expect(TAG_OID)?;
    if oid != OID_RSA_ENCRYPTION {
        return Err(if oid == OID_RSASSA_PSS {
            KeyProblem::RsaPss
        } else if oid == OID_EC {
            KeyProblem::NotRsa("an EC key")
        } else if oid == OID_DSA {
            KeyProblem::NotRsa("a DSA key")
        } else if oid.len() == 3 && oid.starts_with(OID_EDWARDS_PREFIX) {
            KeyProblem::NotRsa("an Ed25519/X25519 (or 448) key")
        } else {
            KeyProblem::NotRsa("a key of an unknown algorithm")
        });
    }
    // rsaEncryption's parameters are NULL (RFC 8017 A.1); some encoders leave them out.
    if !algorithm.is_empty() && (!algorithm.expect(TAG_NULL)?.is_empty() || !algorithm.is_empty()) {
        return Err(KeyProblem::Malformed);
    }
    let pkcs1 = r.expect(TAG_OCTET_STRING)?;
    if r.peek_tag() == Some(TAG_ATTRIBUTES) {
        r.element()?;
    }
    if r.peek_tag() == Some(TAG_PUBLIC_KEY) {
        r.element()?;
    }
    if !r.is_empty() {
        return Err(KeyProblem::Malformed);
    }
    Ok(pkcs1)
}

/// Appends a DER length.
fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(0x80 | significant.len() as u8);
    out.extend_from_slice(significant);
}

fn push_element(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_length(out, content.len());
    out.extend_from_slice(content);
}

/// Wraps a PKCS#1 `RSAPrivateKey` as a PKCS#8 v1 `PrivateKeyInfo` with rsaEncryption and NULL
/// parameters: the bytes `openssl pkcs8 -topk8 -nocrypt -outform DER` writes, and what
/// WebCrypto's `importKey("pkcs8", …)` needs.
pub fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    let mut algorithm = Vec::with_capacity(15);
    push_element(&mut algorithm, TAG_OID, OID_RSA_ENCRYPTION);
    push_element(&mut algorithm, TAG_NULL, &[]);
    let mut body = Vec::with_capacity(pkcs1.len() + 32);
    push_element(&mut body, TAG_INTEGER, &[0]);
    push_element(&mut body, TAG_SEQUENCE, &algorithm);
    push_element(&mut body, TAG_OCTET_STRING, pkcs1);
    let mut out = Vec::with_capacity(body.len() + 4);
    push_element(&mut out, TAG_SEQUENCE, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A structurally valid 2048-bit PKCS#1 key (not a real key pair: the checks here are
    /// structural; the fixtures hold real ones).
    fn fake_pkcs1(version: u8, modulus_bytes: usize, exponent: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        push_element(&mut body, TAG_INTEGER, &[version]);
        let mut n = vec![0u8];
        n.push(0xc1);
        n.extend(core::iter::repeat(0x5a).take(modulus_bytes - 2));
        n.push(0x01);
        push_element(&mut body, TAG_INTEGER, &n);
        push_element(&mut body, TAG_INTEGER, exponent);
        for _ in 0..6 {
            push_element(&mut body, TAG_INTEGER, &[0x11; 128]);
        }
        let mut out = Vec::new();
        push_element(&mut out, TAG_SEQUENCE, &body);
        out
    }

    #[test]
    fn pkcs1_structure_and_sizes() {
        let key = fake_pkcs1(0, 256, &[1, 0, 1]);
        assert_eq!(check_pkcs1(&key), Ok(2048));
        assert_eq!(check_pkcs1(&fake_pkcs1(0, 512, &[1, 0, 1])), Ok(4096));
        assert_eq!(
            check_pkcs1(&fake_pkcs1(0, 128, &[1, 0, 1])),
            Err(KeyProblem::Size(1024))
        );
        assert_eq!(
            check_pkcs1(&fake_pkcs1(0, 513, &[1, 0, 1])),
            Err(KeyProblem::Size(4104))
        );
        assert_eq!(
            check_pkcs1(&fake_pkcs1(1, 256, &[1, 0, 1])),
            Err(KeyProblem::MultiPrime)
        );
        assert_eq!(
            check_pkcs1(&fake_pkcs1(0, 256, &[2])),
            Err(KeyProblem::BadParameters)
        );
        assert_eq!(
            check_pkcs1(&fake_pkcs1(0, 256, &[1])),
            Err(KeyProblem::BadParameters)
        );
        // Every truncation, and trailing bytes, are malformed; none panics.
        for cut in 0..key.len() {
            assert!(check_pkcs1(&key[..cut]).is_err());
        }
        let mut trailing = key.clone();
        trailing.push(0);
        assert_eq!(check_pkcs1(&trailing), Err(KeyProblem::Malformed));
    }

    #[test]
    fn rewrap_and_unwrap_round_trip() {
        let pkcs1 = fake_pkcs1(0, 256, &[1, 0, 1]);
        let pkcs8 = pkcs1_to_pkcs8(&pkcs1);
        // SEQUENCE (long form) { INTEGER 0, SEQUENCE { rsaEncryption, NULL }, OCTET STRING … }
        assert_eq!(pkcs8[..2], [0x30, 0x82]);
        assert_eq!(
            pkcs8[4..22],
            [
                0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                0x01, 0x01, 0x05, 0x00
            ]
        );
        assert_eq!(pkcs8[22], TAG_OCTET_STRING);
        assert_eq!(pkcs1_in_pkcs8(&pkcs8), Ok(&pkcs1[..]));
        for cut in 0..pkcs8.len() {
            assert!(pkcs1_in_pkcs8(&pkcs8[..cut]).is_err());
        }
    }

    #[test]
    fn non_rsa_algorithms_are_named() {
        let wrap = |oid: &[u8]| {
            let mut algorithm = Vec::new();
            push_element(&mut algorithm, TAG_OID, oid);
            let mut body = Vec::new();
            push_element(&mut body, TAG_INTEGER, &[0]);
            push_element(&mut body, TAG_SEQUENCE, &algorithm);
            push_element(&mut body, TAG_OCTET_STRING, &[0x30, 0x00]);
            let mut out = Vec::new();
            push_element(&mut out, TAG_SEQUENCE, &body);
            out
        };
        assert_eq!(
            pkcs1_in_pkcs8(&wrap(OID_EC)),
            Err(KeyProblem::NotRsa("an EC key"))
        );
        assert_eq!(
            pkcs1_in_pkcs8(&wrap(&[0x2b, 0x65, 0x70])),
            Err(KeyProblem::NotRsa("an Ed25519/X25519 (or 448) key"))
        );
        assert_eq!(
            pkcs1_in_pkcs8(&wrap(OID_RSASSA_PSS)),
            Err(KeyProblem::RsaPss)
        );
        // rsaEncryption without parameters is fine.
        assert_eq!(
            pkcs1_in_pkcs8(&wrap(OID_RSA_ENCRYPTION)),
            Ok(&[0x30, 0x00][..])
        );
    }

    #[test]
    fn lengths_must_be_definite_and_minimal() {
        assert!(Reader::new(&[0x30, 0x80, 0x00, 0x00]).element().is_err());
        assert!(Reader::new(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5])
            .element()
            .is_err());
        assert!(Reader::new(&[0x04, 0x82, 0x00, 0x80]).element().is_err());
        assert!(Reader::new(&[0x04, 0x85, 1, 1, 1, 1, 1]).element().is_err());
        let mut ok = vec![0x04, 0x81, 0x80];
        ok.extend([7u8; 0x80]);
        assert_eq!(Reader::new(&ok).element().unwrap().1.len(), 0x80);
        let mut long = Vec::new();
        push_length(&mut long, 0x1234);
        assert_eq!(long, [0x82, 0x12, 0x34]);
    }
}
