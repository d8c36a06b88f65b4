//! Lists that grow with the number of files, kept in a temporary file rather than in memory:
//! one JSON line per record, and per list (a folder's files, an app's documents) only the runs
//! of consecutive lines it owns. Apps hand out a folder's files together, so a list is one run
//! or a few, and what stays in memory grows with the number of folders, not of files.
//!
//! Pitfall: the file is written and read with blocking calls; they are buffered and hit the
//! page cache, a few microseconds a record, like the manifest's deflate next to them.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The lines of one list: `(start offset, end offset, lines)` per run.
#[derive(Debug, Default)]
pub struct Runs {
    runs: Vec<(u64, u64, u64)>,
    pub count: u64,
}

pub struct Spill {
    file: BufWriter<tempfile::NamedTempFile>,
    at: u64,
    line: Vec<u8>,
}

impl Spill {
    pub fn new(dir: &std::path::Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let file = tempfile::NamedTempFile::new_in(dir)?;
        Ok(Self { file: BufWriter::with_capacity(64 * 1024, file), at: 0, line: Vec::new() })
    }

    /// Appends `record` to the list `runs`.
    pub fn push(&mut self, runs: &mut Runs, record: &impl Serialize) -> std::io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, record)?;
        self.line.push(b'\n');
        self.file.write_all(&self.line)?;
        let start = self.at;
        self.at += self.line.len() as u64;
        match runs.runs.last_mut() {
            Some((_, end, lines)) if *end == start => {
                *end = self.at;
                *lines += 1;
            }
            _ => runs.runs.push((start, self.at, 1)),
        }
        runs.count += 1;
        Ok(())
    }

    /// The records of a list, in the order they were pushed, read one at a time through a
    /// handle of its own (so the writer's position is untouched).
    pub fn read<T: DeserializeOwned>(&mut self, runs: &Runs) -> std::io::Result<Records<T>> {
        self.file.flush()?;
        let reader = BufReader::new(self.file.get_ref().reopen()?);
        Ok(Records {
            reader,
            runs: runs.runs.clone().into_iter(),
            left: 0,
            line: String::new(),
            record: std::marker::PhantomData,
        })
    }
}

/// The records of one list, read lazily.
pub struct Records<T> {
    reader: BufReader<File>,
    runs: std::vec::IntoIter<(u64, u64, u64)>,
    /// Lines still to read in the current run.
    left: u64,
    line: String,
    record: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned> Iterator for Records<T> {
    type Item = std::io::Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            let (start, _, lines) = self.runs.next()?;
            if let Err(e) = self.reader.seek(SeekFrom::Start(start)) {
                return Some(Err(e));
            }
            self.left = lines;
        }
        self.left -= 1;
        self.line.clear();
        Some(
            self.reader
                .read_line(&mut self.line)
                .and_then(|_| serde_json::from_str(&self.line).map_err(std::io::Error::other)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaved_lists_read_back_apart_and_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        let mut spill = Spill::new(dir.path()).expect("spill");
        let (mut a, mut b) = (Runs::default(), Runs::default());
        for i in 0..10 {
            let list = if (i / 3) % 2 == 0 { &mut a } else { &mut b };
            spill.push(list, &format!("n{i}\n<x>")).expect("push");
        }
        assert_eq!((a.runs.len(), b.runs.len()), (2, 2), "consecutive records share a run");
        let read = |spill: &mut Spill, runs: &Runs| -> Vec<String> {
            spill.read(runs).expect("read").map(|r| r.expect("record")).collect()
        };
        assert_eq!(
            read(&mut spill, &a),
            ["n0\n<x>", "n1\n<x>", "n2\n<x>", "n6\n<x>", "n7\n<x>", "n8\n<x>"]
        );
        assert_eq!(read(&mut spill, &b), ["n3\n<x>", "n4\n<x>", "n5\n<x>", "n9\n<x>"]);
        spill.push(&mut a, &"after").expect("push after a read");
        assert_eq!(read(&mut spill, &a).last().map(String::as_str), Some("after"));
    }
}
