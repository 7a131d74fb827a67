//! Random tokens, their hashes, keyed MACs and at-rest encryption of the few
//! secrets Darkroom must store (a studio's SMTP password).
//!
//! Tokens are 32 random bytes shown once; only their SHA-256 is stored, so a
//! database leak reveals no usable token.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token: `prefix` + 43 URL-safe characters (256 random bits).
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// SHA-256 of arbitrary bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The instance key: signs CSRF tokens and media URLs, and encrypts stored secrets.
#[derive(Clone)]
pub struct Keys {
    master: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(****)")
    }
}

impl Keys {
    /// From the base64 form stored in the database or given in config.
    pub fn from_encoded(encoded: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded.trim())
            .or_else(|_| base64::engine::general_purpose::STANDARD.decode(encoded.trim()))
            .map_err(|_| "the secret key is not base64".to_string())?;
        if bytes.len() < 32 {
            return Err("the secret key must be at least 32 bytes (generate one with `darkroom config example`)".into());
        }
        Ok(Self {
            master: Sha256::digest(&bytes).into(),
        })
    }

    /// A new random key in its encoded form.
    pub fn generate_encoded() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn subkey(&self, purpose: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.master);
        h.update(purpose.as_bytes());
        h.finalize().into()
    }

    /// HMAC-SHA256 of `data` under a key derived for `purpose`, URL-safe base64.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.subkey(purpose))
            .unwrap_or_else(|_| unreachable_mac());
        m.update(data);
        URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
    }

    /// Constant-time check of a MAC made by [`Keys::mac`].
    pub fn verify_mac(&self, purpose: &str, data: &[u8], mac: &str) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.mac(purpose, data);
        expected.as_bytes().ct_eq(mac.as_bytes()).into()
    }

    /// Encrypts a secret for storage.
    pub fn seal(&self, plaintext: &str) -> String {
        let cipher = XChaCha20Poly1305::new(&self.subkey("seal").into());
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), plaintext.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Decrypts a secret sealed with [`Keys::seal`].
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new(&self.subkey("seal").into());
        let nonce: [u8; 24] = bytes[..24].try_into().ok()?;
        let plain = cipher.decrypt(&XNonce::from(nonce), &bytes[24..]).ok()?;
        String::from_utf8(plain).ok()
    }
}

// HMAC accepts keys of any length; this path cannot be reached.
fn unreachable_mac() -> Hmac<Sha256> {
    #[allow(clippy::expect_used)]
    <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).expect("HMAC takes any key length")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token("drk_");
        let b = new_token("drk_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn macs_verify_and_bind_purpose() {
        let k = Keys::from_encoded(&Keys::generate_encoded()).unwrap();
        let m = k.mac("csrf", b"session-1");
        assert!(k.verify_mac("csrf", b"session-1", &m));
        assert!(!k.verify_mac("csrf", b"session-2", &m));
        assert!(!k.verify_mac("media", b"session-1", &m));
    }

    #[test]
    fn seal_round_trip_and_tamper() {
        let k = Keys::from_encoded(&Keys::generate_encoded()).unwrap();
        let s = k.seal("hunter2 smtp");
        assert_eq!(k.open(&s).as_deref(), Some("hunter2 smtp"));
        let mut t = s.clone().into_bytes();
        let last = t.len() - 2;
        t[last] = if t[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(k.open(&String::from_utf8(t).unwrap()), None);
        let other = Keys::from_encoded(&Keys::generate_encoded()).unwrap();
        assert_eq!(other.open(&s), None);
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Keys::from_encoded("c2hvcnQ").is_err());
    }
}
