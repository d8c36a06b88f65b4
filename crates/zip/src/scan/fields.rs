//! Little-endian fields of zip records.

/// Reads fields in order from a record whose fixed part the caller has length-checked.
pub(super) struct Fields<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    /// `None` when `buf` is shorter than `need`, so that later reads of up to `need` bytes
    /// stay in bounds.
    pub fn new(buf: &'a [u8], need: usize) -> Option<Self> {
        (buf.len() >= need).then_some(Self { buf, at: 0 })
    }

    pub fn skip(&mut self, n: usize) -> &mut Self {
        self.at += n;
        self
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        out.copy_from_slice(&self.buf[self.at..self.at + N]);
        self.at += N;
        out
    }
}

/// The data of the first extra field with this id, in an extra block of `(id, length, data)`.
/// A block whose lengths run past its end yields nothing from there on.
pub(super) fn extra_field(extra: &[u8], id: u16) -> Option<&[u8]> {
    let mut rest = extra;
    while rest.len() >= 4 {
        let tag = u16::from_le_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_le_bytes([rest[2], rest[3]]));
        let data = rest.get(4..4 + len)?;
        if tag == id {
            return Some(data);
        }
        rest = &rest[4 + len..];
    }
    None
}

/// The ZIP64 extended-information extra field (0x0001): it holds, in order, the 64-bit value
/// of each 32-bit field saturated at 0xFFFFFFFF, and only of those.
pub(super) struct Zip64<'a> {
    data: &'a [u8],
}

impl<'a> Zip64<'a> {
    pub fn new(extra: &'a [u8]) -> Self {
        Self { data: extra_field(extra, 0x0001).unwrap_or_default() }
    }

    /// The value itself, or the next one of the extra field when it is saturated; `None` when
    /// the extra field lacks it.
    pub fn widen(&mut self, value: u32) -> Option<u64> {
        if value != u32::MAX {
            return Some(u64::from(value));
        }
        self.take().map(u64::from_le_bytes)
    }

    /// A 16-bit disk number, widened to the extra field's 32 bits when saturated.
    pub fn widen_disk(&mut self, value: u16) -> Option<u32> {
        if value != u16::MAX {
            return Some(u32::from(value));
        }
        self.take().map(u32::from_le_bytes)
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (bytes, rest) = self.data.split_first_chunk::<N>()?;
        self.data = rest;
        Some(*bytes)
    }
}
