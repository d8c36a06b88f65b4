//! Writes archives byte by byte with chosen fields, so tests can lie in any of them.

use std::io::Write;

use bytes::Bytes;

pub const UTF8: u16 = 1 << 11;
pub const DESCRIPTOR: u16 = 1 << 3;
/// Unix host, version 2.0.
pub const UNIX: u16 = 3 * 256 + 20;

/// The fields one header, local or central, repeats.
#[derive(Clone)]
pub struct Header {
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed: u32,
    pub uncompressed: u32,
    pub name: Vec<u8>,
    pub extra: Vec<u8>,
}

#[derive(Clone)]
pub struct Entry {
    pub local: Header,
    pub central: Header,
    /// What follows the local header: the compressed content, and whatever a test adds.
    pub data: Vec<u8>,
    pub made_by: u16,
    pub external: u32,
    pub disk: u16,
    pub date: u16,
    pub time: u16,
    /// Written as the local-header offset instead of the real one.
    pub offset: Option<u32>,
}

impl Entry {
    pub fn stored(name: &str, content: &[u8]) -> Self {
        Self::with(name.as_bytes(), 0, content, content.to_vec())
    }

    pub fn deflated(name: &str, content: &[u8]) -> Self {
        Self::with(name.as_bytes(), 8, content, deflate(content))
    }

    pub fn dir(name: &str) -> Self {
        let mut entry = Self::stored(name, b"");
        entry.external = (0o40_755 << 16) | 0x10;
        entry
    }

    pub fn with(name: &[u8], method: u16, content: &[u8], data: Vec<u8>) -> Self {
        let header = Header {
            flags: UTF8,
            method,
            crc32: crc32fast::hash(content),
            compressed: u32::try_from(data.len()).unwrap(),
            uncompressed: u32::try_from(content.len()).unwrap(),
            name: name.to_vec(),
            extra: Vec::new(),
        };
        Self {
            local: header.clone(),
            central: header,
            data,
            made_by: UNIX,
            external: 0o100_644 << 16,
            disk: 0,
            // 2026-09-03 16:20:40
            date: (46 << 9) | (9 << 5) | 3,
            time: (16 << 11) | (20 << 5) | (40 >> 1),
            offset: None,
        }
    }

    /// Applies a change to both headers.
    pub fn both(mut self, change: impl Fn(&mut Header)) -> Self {
        change(&mut self.local);
        change(&mut self.central);
        self
    }
}

pub struct Archive {
    pub entries: Vec<Entry>,
    /// Bytes before the first entry.
    pub prefix: Vec<u8>,
    /// Offsets counted from the start of the file, prefix included, as a self-extracting
    /// archive fixed up by its writer has them; otherwise from the first entry.
    pub absolute_offsets: bool,
    /// The entry count of the end record instead of the real one.
    pub count: Option<u64>,
    pub disk: u16,
    pub directory_disk: u16,
    pub zip64: bool,
    pub comment: Vec<u8>,
}

impl Archive {
    pub fn new(entries: Vec<Entry>) -> Self {
        Self {
            entries,
            prefix: Vec::new(),
            absolute_offsets: false,
            count: None,
            disk: 0,
            directory_disk: 0,
            zip64: false,
            comment: Vec::new(),
        }
    }

    pub fn bytes(&self) -> Bytes {
        let mut out = self.prefix.clone();
        let base = if self.absolute_offsets { 0 } else { self.prefix.len() };
        let at = |out: &Vec<u8>| (out.len() - base) as u64;
        let mut offsets = Vec::new();
        for entry in &self.entries {
            offsets.push(at(&out));
            write_local(&mut out, entry);
        }
        let directory_offset = at(&out);
        let directory_start = out.len();
        for (entry, &offset) in self.entries.iter().zip(&offsets) {
            let offset = entry.offset.unwrap_or(u32::try_from(offset).unwrap());
            write_central(&mut out, entry, offset);
        }
        let directory_size = (out.len() - directory_start) as u64;
        let count = self.count.unwrap_or(self.entries.len() as u64);
        if self.zip64 {
            let record_at = at(&out);
            put(&mut out, &[&0x0606_4b50_u32.to_le_bytes(), &44_u64.to_le_bytes()]);
            put(&mut out, &[&45_u16.to_le_bytes(), &45_u16.to_le_bytes()]);
            put(&mut out, &[&u32::from(self.disk).to_le_bytes(), &0_u32.to_le_bytes()]);
            put(&mut out, &[&count.to_le_bytes(), &count.to_le_bytes()]);
            put(&mut out, &[&directory_size.to_le_bytes(), &directory_offset.to_le_bytes()]);
            put(&mut out, &[&0x0706_4b50_u32.to_le_bytes(), &0_u32.to_le_bytes()]);
            put(&mut out, &[&record_at.to_le_bytes(), &1_u32.to_le_bytes()]);
        }
        let narrow16 = |v: u64| if self.zip64 { u16::MAX } else { u16::try_from(v).unwrap() };
        let narrow32 = |v: u64| if self.zip64 { u32::MAX } else { u32::try_from(v).unwrap() };
        put(&mut out, &[&0x0605_4b50_u32.to_le_bytes()]);
        put(&mut out, &[&self.disk.to_le_bytes(), &self.directory_disk.to_le_bytes()]);
        put(&mut out, &[&narrow16(count).to_le_bytes(), &narrow16(count).to_le_bytes()]);
        put(&mut out, &[&narrow32(directory_size).to_le_bytes()]);
        put(&mut out, &[&narrow32(directory_offset).to_le_bytes()]);
        put(&mut out, &[&u16::try_from(self.comment.len()).unwrap().to_le_bytes(), &self.comment]);
        Bytes::from(out)
    }
}

fn write_local(out: &mut Vec<u8>, entry: &Entry) {
    let h = &entry.local;
    put(out, &[&0x0403_4b50_u32.to_le_bytes(), &20_u16.to_le_bytes()]);
    put(out, &[&h.flags.to_le_bytes(), &h.method.to_le_bytes()]);
    put(out, &[&entry.time.to_le_bytes(), &entry.date.to_le_bytes()]);
    put(out, &[&h.crc32.to_le_bytes(), &h.compressed.to_le_bytes(), &h.uncompressed.to_le_bytes()]);
    put(out, &[&lengths(h), &h.name, &h.extra, &entry.data]);
}

fn write_central(out: &mut Vec<u8>, entry: &Entry, offset: u32) {
    let h = &entry.central;
    put(out, &[&0x0201_4b50_u32.to_le_bytes(), &entry.made_by.to_le_bytes()]);
    put(out, &[&20_u16.to_le_bytes(), &h.flags.to_le_bytes(), &h.method.to_le_bytes()]);
    put(out, &[&entry.time.to_le_bytes(), &entry.date.to_le_bytes()]);
    put(out, &[&h.crc32.to_le_bytes(), &h.compressed.to_le_bytes(), &h.uncompressed.to_le_bytes()]);
    put(out, &[&lengths(h), &0_u16.to_le_bytes(), &entry.disk.to_le_bytes(), &0_u16.to_le_bytes()]);
    put(out, &[&entry.external.to_le_bytes(), &offset.to_le_bytes(), &h.name, &h.extra]);
}

/// Name and extra-field lengths.
fn lengths(h: &Header) -> Vec<u8> {
    let name = u16::try_from(h.name.len()).unwrap();
    let extra = u16::try_from(h.extra.len()).unwrap();
    [name.to_le_bytes(), extra.to_le_bytes()].concat()
}

fn put(out: &mut Vec<u8>, parts: &[&[u8]]) {
    for part in parts {
        out.extend_from_slice(part);
    }
}

/// A ZIP64 extended-information extra field holding these values.
pub fn zip64_extra(values: &[u64]) -> Vec<u8> {
    let mut out = 1_u16.to_le_bytes().to_vec();
    out.extend_from_slice(&u16::try_from(values.len() * 8).unwrap().to_le_bytes());
    for value in values {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

/// Raw deflate, as zip entries hold it.
pub fn deflate(content: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(content).unwrap();
    encoder.finish().unwrap()
}
