//! The RSA private key of a JWT app, parsed once: PEM (PKCS#8 or PKCS#1) in, checked DER out, in
//! both containers (PKCS#8 for WebCrypto, PKCS#1 for the rest).

use core::fmt;

use super::der::{check_pkcs1, pkcs1_in_pkcs8, pkcs1_to_pkcs8, KeyProblem};
use super::error::Error;
use super::pem::{decode_pem, invalid_key};
use super::text::{cat, int};
use crate::prelude::*;

/// The container a key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// PKCS#8 `PrivateKeyInfo` (`-----BEGIN PRIVATE KEY-----`).
    Pkcs8,
    /// PKCS#1 `RSAPrivateKey` (`-----BEGIN RSA PRIVATE KEY-----`).
    Pkcs1,
}

/// A checked RSA private key (2048 to 4096 bits, two primes). `Debug` shows only its format and
/// size; the bytes are read with [`PrivateKey::pkcs8_der`] and [`PrivateKey::pkcs1_der`].
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey {
    pkcs1: Vec<u8>,
    pkcs8: Vec<u8>,
    format: KeyFormat,
    bits: usize,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("format", &self.format)
            .field("modulus_bits", &self.bits)
            .finish_non_exhaustive()
    }
}

fn problem_error(problem: KeyProblem, container: &str) -> Error {
    match problem {
        KeyProblem::Malformed => invalid_key(&cat(&[
            "its contents are not a well-formed ",
            container,
            " RSA key (truncated or corrupted?).",
        ])),
        KeyProblem::NotRsa(what) => invalid_key(&cat(&[
            "it is ",
            what,
            ", not an RSA key (Coze JWT apps sign with RS256).",
        ])),
        KeyProblem::RsaPss => invalid_key(
            "it is an RSA-PSS-only key (OID id-RSASSA-PSS); RS256 needs an ordinary rsaEncryption key.",
        ),
        KeyProblem::MultiPrime => {
            invalid_key("it is a multi-prime RSA key, which is not supported.")
        }
        KeyProblem::Size(bits) => invalid_key(&cat(&[
            "it is a ",
            &int(bits as i64),
            "-bit RSA key.",
        ])),
        KeyProblem::BadParameters => invalid_key(
            "its RSA parameters are unusable (an even modulus, or a public exponent that is even or outside 3..2^33).",
        ),
    }
}

impl PrivateKey {
    /// Parses a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE
    /// KEY`), tolerating surrounding whitespace or quotes, CRLF, a one-line key and literal `\n`
    /// escapes. Anything else (encrypted, EC, public key, certificate, truncated, corrupted) is
    /// [`crate::ErrorCode::InvalidKey`], with a message that never quotes the key.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (format, der) = private_key_der(pem)?;
        match format {
            KeyFormat::Pkcs8 => Self::from_pkcs8_der(&der),
            KeyFormat::Pkcs1 => Self::from_pkcs1_der(&der),
        }
    }

    /// Reads PKCS#8 `PrivateKeyInfo` DER holding an RSA key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let pkcs1 = pkcs1_in_pkcs8(der).map_err(|p| problem_error(p, "PKCS#8"))?;
        let bits = check_pkcs1(pkcs1).map_err(|p| problem_error(p, "PKCS#8"))?;
        Ok(PrivateKey {
            pkcs8: pkcs1_to_pkcs8(pkcs1),
            pkcs1: pkcs1.to_vec(),
            format: KeyFormat::Pkcs8,
            bits,
        })
    }

    /// Reads PKCS#1 `RSAPrivateKey` DER.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, Error> {
        let bits = check_pkcs1(der).map_err(|p| problem_error(p, "PKCS#1"))?;
        Ok(PrivateKey {
            pkcs8: pkcs1_to_pkcs8(der),
            pkcs1: der.to_vec(),
            format: KeyFormat::Pkcs1,
            bits,
        })
    }

    /// The key as PKCS#8 v1 DER (rsaEncryption, NULL parameters): what WebCrypto's
    /// `importKey("pkcs8", …)` takes. A PKCS#8 v2 input loses its optional public key and
    /// attributes here; the private key is the same.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as PKCS#1 `RSAPrivateKey` DER.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1
    }

    /// The container the key came in.
    pub fn source_format(&self) -> KeyFormat {
        self.format
    }

    /// The modulus size in bits (2048 to 4096).
    pub fn modulus_bits(&self) -> usize {
        self.bits
    }
}

/// The DER of a PEM private key and its container, without looking inside: the PEM
/// normalisation of keys kept in env vars and config files, and the clear errors for what is
/// not an unencrypted RSA private key by its label (encrypted, EC, DSA, OpenSSH, public key,
/// certificate). What is inside is for the host's parser (natively the `rsa` crate, see
/// `RsaSigner::from_pem`) or for [`PrivateKey`]'s checks.
pub(crate) fn private_key_der(pem: &str) -> Result<(KeyFormat, Vec<u8>), Error> {
    let block = decode_pem(pem)?;
    match block.label.as_str() {
        "PRIVATE KEY" | "RSA PRIVATE KEY" if block.encrypted => Err(encrypted()),
        "PRIVATE KEY" => Ok((KeyFormat::Pkcs8, block.der)),
        "RSA PRIVATE KEY" => Ok((KeyFormat::Pkcs1, block.der)),
        "ENCRYPTED PRIVATE KEY" => Err(encrypted()),
        "EC PRIVATE KEY" => Err(problem_error(KeyProblem::NotRsa("an EC key"), "")),
        "DSA PRIVATE KEY" => Err(problem_error(KeyProblem::NotRsa("a DSA key"), "")),
        "OPENSSH PRIVATE KEY" => Err(invalid_key(
            "it is in OpenSSH's own format; convert it with `ssh-keygen -p -m PKCS8 -f <file>`.",
        )),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(invalid_key(
            "it is a public key; signing needs the private key (the public key's id in the Coze console is the keyid).",
        )),
        "CERTIFICATE" => Err(invalid_key("it is a certificate, not a private key.")),
        _ => Err(invalid_key("its PEM block is not a private key.")),
    }
}

/// Why a host's parser refused (or this crate's rules refuse) the key `der`: this crate's
/// reading of the container names the problem (not RSA, RSA-PSS, multi-prime, the size, bad
/// parameters, malformed); a key it finds well-formed has inconsistent numbers. Runs only
/// after a failure, for the message.
#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
pub(crate) fn why_unusable(format: KeyFormat, der: &[u8]) -> Error {
    let checked = match format {
        KeyFormat::Pkcs8 => PrivateKey::from_pkcs8_der(der),
        KeyFormat::Pkcs1 => PrivateKey::from_pkcs1_der(der),
    };
    match checked {
        Err(err) => err,
        Ok(_) => inconsistent(),
    }
}

/// The key parses but its numbers do not form a key pair.
#[cfg(all(feature = "jwt", not(target_arch = "wasm32")))]
pub(crate) fn inconsistent() -> Error {
    invalid_key(
        "its RSA numbers are inconsistent (the primes, exponents and modulus do not form a key pair).",
    )
}

fn encrypted() -> Error {
    invalid_key("it is encrypted with a passphrase; decrypt it first, e.g. `openssl pkcs8 -in encrypted.pem -out key.pem` (asks for the passphrase, writes an unencrypted PKCS#8 key).")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn non_key_labels_are_named() {
        for (label, needle) in [
            ("ENCRYPTED PRIVATE KEY", "encrypted"),
            ("EC PRIVATE KEY", "EC key"),
            ("PUBLIC KEY", "public key"),
            ("RSA PUBLIC KEY", "public key"),
            ("CERTIFICATE", "certificate"),
            ("OPENSSH PRIVATE KEY", "OpenSSH"),
            ("X509 CRL", "not a private key"),
        ] {
            let pem = cat(&[
                "-----BEGIN ",
                label,
                "-----\nMIIB\n-----END ",
                label,
                "-----",
            ]);
            let err = PrivateKey::from_pem(&pem).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidKey);
            assert!(err.message.contains(needle), "{label}: {}", err.message);
            assert!(err.message.contains("BEGIN RSA PRIVATE KEY"));
        }
    }

    #[test]
    fn garbage_der_is_malformed() {
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIBAAAA\n-----END PRIVATE KEY-----";
        let err = PrivateKey::from_pem(pem).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidKey);
        assert!(err.message.contains("well-formed PKCS#8"));
    }
}
