//! Where each entry of an export in parts goes. Files are taken in the order they are written
//! and fill a part until the next would overflow it; a file larger than a part starts a part of
//! its own and is cut into consecutive pieces of a part's size, the last piece sharing its part
//! with the files after it. A folder entry weighs nothing and stays in the current part.
//!
//! The plan counts content only: each part's own pages, checksums and manifest come on top, so
//! a part is somewhat larger than the size asked (said in the API).

/// Where one entry goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Whole, in this part.
    Whole(u32),
    /// Cut: each piece's part and length, in order.
    Cut(Vec<(u32, u64)>),
}

#[derive(Debug)]
pub struct Planner {
    budget: u64,
    part: u32,
    used: u64,
}

impl Planner {
    pub fn new(budget: u64) -> Self {
        Self { budget: budget.max(1), part: 1, used: 0 }
    }

    /// The parts planned so far.
    pub fn parts(&self) -> u32 {
        self.part
    }

    pub fn place(&mut self, size: u64) -> Place {
        if size > self.budget {
            if self.used > 0 {
                self.part += 1;
            }
            let mut pieces = Vec::new();
            let mut left = size;
            while left > 0 {
                let len = left.min(self.budget);
                pieces.push((self.part, len));
                left -= len;
                if left > 0 {
                    self.part += 1;
                }
            }
            self.used = pieces.last().map_or(0, |&(_, len)| len);
            return Place::Cut(pieces);
        }
        if self.used > 0 && self.used + size > self.budget {
            self.part += 1;
            self.used = 0;
        }
        self.used += size;
        Place::Whole(self.part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_fill_a_part_then_the_next() {
        let mut p = Planner::new(10);
        assert_eq!(p.place(4), Place::Whole(1));
        assert_eq!(p.place(0), Place::Whole(1));
        assert_eq!(p.place(6), Place::Whole(1));
        assert_eq!(p.place(1), Place::Whole(2));
        assert_eq!(p.place(10), Place::Whole(3));
        assert_eq!(p.parts(), 3);
    }

    #[test]
    fn a_file_larger_than_a_part_is_cut_from_a_fresh_part() {
        let mut p = Planner::new(10);
        assert_eq!(p.place(3), Place::Whole(1));
        assert_eq!(p.place(25), Place::Cut(vec![(2, 10), (3, 10), (4, 5)]));
        // The last piece's part takes what fits after it.
        assert_eq!(p.place(5), Place::Whole(4));
        assert_eq!(p.place(1), Place::Whole(5));
    }

    #[test]
    fn a_cut_file_first_in_the_export_starts_at_part_one() {
        let mut p = Planner::new(10);
        assert_eq!(p.place(20), Place::Cut(vec![(1, 10), (2, 10)]));
        assert_eq!(p.place(1), Place::Whole(3));
    }
}
