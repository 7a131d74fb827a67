//! ZIP archives streamed as they are built, for gallery downloads: no
//! temporary file, memory independent of the archive's size.
//!
//! - Entries are *stored* (photos are already compressed; deflating JPEGs
//!   costs CPU and saves nothing), so the archive's exact length is known
//!   before the first byte ([`Plan::total_len`]) and a browser can show
//!   progress and time left.
//! - An entry whose CRC-32 is known in advance (recorded at ingest) gets it in
//!   its local header, as every extractor, streaming ones included, expects.
//!   Otherwise the CRC is computed while the bytes pass through and written in
//!   a data descriptor after them (general purpose bit 3). Either way the
//!   CRC is computed and checked as the bytes go out.
//! - ZIP64 records are used exactly where a size or offset reaches
//!   4 GiB or there are more than 65,534 entries.
//! - Entry names come from people: [`safe_names`] turns them into plain,
//!   unique file names with no path, no control characters and nothing a
//!   Windows or macOS extractor would refuse.
//!
//! Format reference: PKWARE APPNOTE.TXT 6.3.x (sections 4.3, 4.4, 4.5.3).

use std::collections::HashSet;
use std::io;

use bytes::{BufMut, Bytes, BytesMut};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, Stream, StreamExt};

mod names;
pub use names::{safe_name, safe_names};

const LOCAL_SIG: u32 = 0x0403_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const U32_MAX: u64 = 0xFFFF_FFFF;
/// Bit 11: names are UTF-8.
const UTF8: u16 = 1 << 11;
/// Bit 3: the CRC follows the data, in a data descriptor.
const DESCRIPTOR: u16 = 1 << 3;
const VERSION_PLAIN: u16 = 20;
const VERSION_ZIP64: u16 = 45;
/// Made by: Unix (3), spec 4.5.
const MADE_BY: u16 = (3 << 8) | VERSION_ZIP64;

/// Why an archive could not be planned or written.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("entry {index} ({name}): {detail}")]
    Entry {
        index: usize,
        name: String,
        detail: String,
    },
    #[error("an archive needs at least one entry")]
    Empty,
}

/// A timestamp as ZIP stores it (local time, two-second steps, 1980-2107).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DosTime {
    pub date: u16,
    pub time: u16,
}

impl DosTime {
    /// From calendar fields; years outside 1980-2107 are clamped.
    pub fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Self {
        let y = (year.clamp(1980, 2107) - 1980) as u16;
        DosTime {
            date: (y << 9) | (u16::from(month.clamp(1, 12)) << 5) | u16::from(day.clamp(1, 31)),
            time: (u16::from(hour.min(23)) << 11)
                | (u16::from(minute.min(59)) << 5)
                | u16::from(second.min(59) / 2),
        }
    }
}

impl Default for DosTime {
    fn default() -> Self {
        DosTime::new(1980, 1, 1, 0, 0, 0)
    }
}

/// One file of the archive: its name inside it, its exact size, its time,
/// and its CRC-32 if known in advance.
#[derive(Clone, Debug)]
pub struct EntrySpec {
    pub name: String,
    pub size: u64,
    pub modified: DosTime,
    pub crc32: Option<u32>,
}

/// Where each entry's headers go, and the archive's length.
#[derive(Clone, Debug)]
pub struct Plan {
    entries: Vec<Placed>,
    central_offset: u64,
    central_len: u64,
    total_len: u64,
}

#[derive(Clone, Debug)]
struct Placed {
    spec: EntrySpec,
    offset: u64,
    zip64: bool,
}

impl Placed {
    fn has_descriptor(&self) -> bool {
        self.spec.crc32.is_none()
    }
    fn flags(&self) -> u16 {
        UTF8 | if self.has_descriptor() { DESCRIPTOR } else { 0 }
    }
}

fn local_header_len(name: &str, zip64: bool) -> u64 {
    30 + name.len() as u64 + if zip64 { 20 } else { 0 }
}

fn descriptor_len(spec: &EntrySpec, zip64: bool) -> u64 {
    match (spec.crc32, zip64) {
        (Some(_), _) => 0,
        (None, true) => 24,
        (None, false) => 16,
    }
}

fn central_len(name: &str, size: u64, offset: u64) -> u64 {
    46 + name.len() as u64 + central_extra(size, offset).len() as u64
}

/// The ZIP64 extra field of a central record: only the fields that overflow.
fn central_extra(size: u64, offset: u64) -> Vec<u8> {
    let mut body = Vec::new();
    if size >= U32_MAX {
        body.extend_from_slice(&size.to_le_bytes()); // uncompressed
        body.extend_from_slice(&size.to_le_bytes()); // compressed
    }
    if offset >= U32_MAX {
        body.extend_from_slice(&offset.to_le_bytes());
    }
    if body.is_empty() {
        return body;
    }
    let mut v = Vec::with_capacity(4 + body.len());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&(body.len() as u16).to_le_bytes());
    v.extend(body);
    v
}

impl Plan {
    /// Lays out the archive. Names must already be safe and unique
    /// ([`safe_names`]); they are checked again here.
    pub fn new(specs: Vec<EntrySpec>) -> Result<Plan, ZipError> {
        if specs.is_empty() {
            return Err(ZipError::Empty);
        }
        let mut seen = HashSet::new();
        let mut offset = 0u64;
        let mut entries = Vec::with_capacity(specs.len());
        for (index, spec) in specs.into_iter().enumerate() {
            if safe_name(&spec.name) != spec.name || spec.name.len() > u16::MAX as usize {
                return Err(ZipError::Entry {
                    index,
                    name: spec.name,
                    detail: "the name is not a safe file name; pass names through safe_names"
                        .into(),
                });
            }
            if !seen.insert(spec.name.to_lowercase()) {
                return Err(ZipError::Entry {
                    index,
                    name: spec.name,
                    detail: "the name appears twice (names are compared ignoring case)".into(),
                });
            }
            let zip64 = spec.size >= U32_MAX;
            entries.push(Placed {
                offset,
                zip64,
                spec: spec.clone(),
            });
            offset +=
                local_header_len(&spec.name, zip64) + spec.size + descriptor_len(&spec, zip64);
        }
        let central_offset = offset;
        let central_len: u64 = entries
            .iter()
            .map(|e| central_len(&e.spec.name, e.spec.size, e.offset))
            .sum();
        let needs64 = Self::needs_zip64_end(entries.len(), central_offset, central_len);
        let total_len = central_offset + central_len + if needs64 { 56 + 20 } else { 0 } + 22;
        Ok(Plan {
            entries,
            central_offset,
            central_len,
            total_len,
        })
    }

    fn needs_zip64_end(count: usize, central_offset: u64, central_len: u64) -> bool {
        count >= 0xFFFF || central_offset >= U32_MAX || central_len >= U32_MAX
    }

    /// The archive's exact length in bytes (for `Content-Length`).
    pub fn total_len(&self) -> u64 {
        self.total_len
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn local_header(e: &Placed) -> Bytes {
        let mut b = BytesMut::with_capacity(local_header_len(&e.spec.name, e.zip64) as usize);
        b.put_u32_le(LOCAL_SIG);
        b.put_u16_le(if e.zip64 {
            VERSION_ZIP64
        } else {
            VERSION_PLAIN
        });
        b.put_u16_le(e.flags());
        b.put_u16_le(0); // stored
        b.put_u16_le(e.spec.modified.time);
        b.put_u16_le(e.spec.modified.date);
        b.put_u32_le(e.spec.crc32.unwrap_or(0)); // 0: in the descriptor
        if e.zip64 {
            b.put_u32_le(U32_MAX as u32);
            b.put_u32_le(U32_MAX as u32);
        } else {
            b.put_u32_le(e.spec.size as u32);
            b.put_u32_le(e.spec.size as u32);
        }
        b.put_u16_le(e.spec.name.len() as u16);
        b.put_u16_le(if e.zip64 { 20 } else { 0 });
        b.put_slice(e.spec.name.as_bytes());
        if e.zip64 {
            b.put_u16_le(1);
            b.put_u16_le(16);
            b.put_u64_le(e.spec.size);
            b.put_u64_le(e.spec.size);
        }
        b.freeze()
    }

    fn descriptor(e: &Placed, crc: u32) -> Bytes {
        let mut b = BytesMut::with_capacity(descriptor_len(&e.spec, e.zip64) as usize);
        b.put_u32_le(DESCRIPTOR_SIG);
        b.put_u32_le(crc);
        if e.zip64 {
            b.put_u64_le(e.spec.size);
            b.put_u64_le(e.spec.size);
        } else {
            b.put_u32_le(e.spec.size as u32);
            b.put_u32_le(e.spec.size as u32);
        }
        b.freeze()
    }

    fn central(&self, crcs: &[u32]) -> Bytes {
        let mut b = BytesMut::with_capacity((self.total_len - self.central_offset) as usize);
        for (e, crc) in self.entries.iter().zip(crcs) {
            let extra = central_extra(e.spec.size, e.offset);
            b.put_u32_le(CENTRAL_SIG);
            b.put_u16_le(MADE_BY);
            b.put_u16_le(if extra.is_empty() {
                VERSION_PLAIN
            } else {
                VERSION_ZIP64
            });
            b.put_u16_le(e.flags());
            b.put_u16_le(0);
            b.put_u16_le(e.spec.modified.time);
            b.put_u16_le(e.spec.modified.date);
            b.put_u32_le(*crc);
            let size32 = e.spec.size.min(U32_MAX) as u32;
            b.put_u32_le(size32);
            b.put_u32_le(size32);
            b.put_u16_le(e.spec.name.len() as u16);
            b.put_u16_le(extra.len() as u16);
            b.put_u16_le(0); // comment
            b.put_u16_le(0); // disk
            b.put_u16_le(0); // internal attributes
            b.put_u32_le(0o100_644 << 16); // a regular file, rw-r--r--
            b.put_u32_le(e.offset.min(U32_MAX) as u32);
            b.put_slice(e.spec.name.as_bytes());
            b.put_slice(&extra);
        }
        let count = self.entries.len() as u64;
        let cd_end = self.central_offset + self.central_len;
        if Self::needs_zip64_end(self.entries.len(), self.central_offset, self.central_len) {
            b.put_u32_le(ZIP64_EOCD_SIG);
            b.put_u64_le(44); // size of the rest of this record
            b.put_u16_le(MADE_BY);
            b.put_u16_le(VERSION_ZIP64);
            b.put_u32_le(0);
            b.put_u32_le(0);
            b.put_u64_le(count);
            b.put_u64_le(count);
            b.put_u64_le(self.central_len);
            b.put_u64_le(self.central_offset);
            b.put_u32_le(ZIP64_LOCATOR_SIG);
            b.put_u32_le(0);
            b.put_u64_le(cd_end);
            b.put_u32_le(1);
        }
        b.put_u32_le(EOCD_SIG);
        b.put_u16_le(0);
        b.put_u16_le(0);
        b.put_u16_le(count.min(0xFFFF) as u16);
        b.put_u16_le(count.min(0xFFFF) as u16);
        b.put_u32_le(self.central_len.min(U32_MAX) as u32);
        b.put_u32_le(self.central_offset.min(U32_MAX) as u32);
        b.put_u16_le(0);
        b.freeze()
    }
}

/// A source of one entry's bytes.
pub type Source = BoxStream<'static, io::Result<Bytes>>;

/// Opens entry `index`'s bytes when the archive reaches it (so a 500-photo
/// archive never holds 500 open files).
pub type Opener = Box<dyn FnMut(usize) -> BoxFuture<'static, io::Result<Source>> + Send>;

/// Streams the archive `plan` describes. Each entry's bytes must add up to
/// its declared size; if a source ends early, runs long or fails, the
/// stream ends with an error (a client sees a failed download, never a
/// damaged archive that looks whole).
pub fn stream(plan: Plan, open: Opener) -> impl Stream<Item = io::Result<Bytes>> + Send {
    struct State {
        plan: Plan,
        open: Opener,
        index: usize,
        current: Option<(Source, crc32fast::Hasher, u64)>,
        crcs: Vec<u32>,
        done: bool,
    }
    let state = State {
        crcs: Vec::with_capacity(plan.entries.len()),
        plan,
        open,
        index: 0,
        current: None,
        done: false,
    };
    // Fused: a body wrapper (compression) may poll once more after the end.
    futures::StreamExt::fuse(futures::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        loop {
            if let Some((src, hasher, seen)) = s.current.as_mut() {
                let e = &s.plan.entries[s.index];
                match src.next().await {
                    Some(Ok(chunk)) => {
                        *seen += chunk.len() as u64;
                        if *seen > e.spec.size {
                            s.done = true;
                            return Some((Err(too_long(s.index, e)), s));
                        }
                        hasher.update(&chunk);
                        if chunk.is_empty() {
                            continue;
                        }
                        return Some((Ok(chunk), s));
                    }
                    Some(Err(err)) => {
                        s.done = true;
                        return Some((Err(entry_error(s.index, e, &err)), s));
                    }
                    None => {
                        let seen = *seen;
                        let crc = s.current.take().map(|c| c.1.finalize()).unwrap_or(0);
                        let e = &s.plan.entries[s.index];
                        if let Err(msg) = check_ended(s.index, e, seen, crc) {
                            s.done = true;
                            return Some((Err(msg), s));
                        }
                        s.crcs.push(crc);
                        s.index += 1;
                        if e.has_descriptor() {
                            return Some((Ok(Plan::descriptor(e, crc)), s));
                        }
                        continue;
                    }
                }
            }
            if s.index == s.plan.entries.len() {
                s.done = true;
                let central = s.plan.central(&s.crcs);
                return Some((Ok(central), s));
            }
            let header = Plan::local_header(&s.plan.entries[s.index]);
            match (s.open)(s.index).await {
                Ok(src) => {
                    s.current = Some((src, crc32fast::Hasher::new(), 0));
                    return Some((Ok(header), s));
                }
                Err(err) => {
                    s.done = true;
                    let e = &s.plan.entries[s.index];
                    return Some((Err(entry_error(s.index, e, &err)), s));
                }
            }
        }
    }))
}

/// A source's failure, naming the entry.
fn entry_error(index: usize, e: &Placed, err: &io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("entry {index} ({}): {err}", e.spec.name),
    )
}

/// An entry's source ended: it must have sent exactly the size planned, and
/// the CRC-32 recorded for it, if any.
fn check_ended(index: usize, e: &Placed, seen: u64, crc: u32) -> io::Result<()> {
    if seen != e.spec.size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "entry {index} ({}) ended after {seen} of {} bytes",
                e.spec.name, e.spec.size
            ),
        ));
    }
    if let Some(want) = e.spec.crc32
        && want != crc
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "entry {index} ({}) has CRC-32 {crc:08x}, not the {want:08x} recorded: its bytes changed",
                e.spec.name
            ),
        ));
    }
    Ok(())
}

fn too_long(index: usize, e: &Placed) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "entry {index} ({}) has more than its declared {} bytes",
            e.spec.name, e.spec.size
        ),
    )
}
