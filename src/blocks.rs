//! Large freed blocks kept for the next request of their size, in front of the global
//! allocator.
//!
//! The encoders make the same large buffers for every row group they write — arrow arrays
//! of the flushed rows, parquet's page and column-chunk buffers grown by doubling — and free
//! them when it is written. mimalloc gives freed pages back to the system after a delay
//! (`main`), and a buffer made after that lands on fresh pages, each faulted in and zeroed
//! by the kernel again. Here a freed block of `1 << MIN_SHIFT` bytes or more is kept instead, up to
//! `KEPT` bytes in all, and the next request of its size class takes it as it is. Blocks are
//! allocated at the size of their class (the next power of two): a block kept for one
//! request fits any other of its class, and growing within the class is free.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::Mutex;

/// The smallest block kept: below it, mimalloc's own pages serve requests from memory it
/// keeps.
const MIN_SHIFT: u32 = 18;
/// Freed blocks kept in all, at most: the most freed memory this holds resident.
const KEPT: usize = 32 << 20;
/// Size classes `1 << MIN_SHIFT` to `KEPT`: a larger block could never be kept.
const CLASSES: usize = (KEPT.trailing_zeros() - MIN_SHIFT + 1) as usize;
/// The most blocks one class can hold (all of them the smallest).
const PER_CLASS: usize = KEPT >> MIN_SHIFT;
/// Every block is aligned for the widest request it may serve: arrow's buffers ask for 128.
const ALIGN: usize = 128;

pub struct BlockCache<A> {
    inner: A,
    kept: Mutex<Kept>,
}

/// The kept blocks (addresses), by class. Fixed arrays: the allocator must not allocate to
/// keep a block.
struct Kept {
    len: [usize; CLASSES],
    blocks: [[usize; PER_CLASS]; CLASSES],
}

impl Kept {
    /// The bytes of the blocks kept.
    fn bytes(&self) -> usize {
        (0..CLASSES).map(|c| self.len[c] * block(c).size()).sum()
    }
}

/// The class of a request, or None when it is not served from kept blocks.
fn class(l: Layout) -> Option<usize> {
    if l.align() > ALIGN || l.size() < 1 << MIN_SHIFT {
        return None;
    }
    let bits = usize::BITS - (l.size() - 1).leading_zeros();
    let c = (bits - MIN_SHIFT) as usize;
    (c < CLASSES).then_some(c)
}

fn block(c: usize) -> Layout {
    Layout::from_size_align(1 << (MIN_SHIFT as usize + c), ALIGN).expect("a block's layout")
}

impl<A> BlockCache<A> {
    pub const fn new(inner: A) -> Self {
        BlockCache {
            inner,
            kept: Mutex::new(Kept {
                len: [0; CLASSES],
                blocks: [[0; PER_CLASS]; CLASSES],
            }),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // nothing panics while the lock is held
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A kept block of class `c`, if there is one.
    fn take(&self, c: usize) -> Option<*mut u8> {
        let mut k = self.kept();
        if k.len[c] == 0 {
            return None;
        }
        k.len[c] -= 1;
        Some(k.blocks[c][k.len[c]] as *mut u8)
    }

    /// Keeps a block of class `c`, unless that would pass `KEPT`: false then.
    fn keep(&self, c: usize, p: *mut u8) -> bool {
        let mut k = self.kept();
        if k.bytes() + block(c).size() > KEPT {
            return false;
        }
        let n = k.len[c];
        k.blocks[c][n] = p as usize;
        k.len[c] += 1;
        true
    }

    #[cfg(test)]
    fn kept_bytes(&self) -> usize {
        self.kept().bytes()
    }
}

// SAFETY: a request of a class is served by a block of that class's layout (kept, or made by
// `inner` with it), and freed by the same rule: `class` of the layout decides both ways, so
// `inner` only ever frees what it made with the layout it made it with.
unsafe impl<A: GlobalAlloc> GlobalAlloc for BlockCache<A> {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        match class(l) {
            Some(c) => match self.take(c) {
                Some(p) => p,
                None => unsafe { self.inner.alloc(block(c)) },
            },
            None => unsafe { self.inner.alloc(l) },
        }
    }

    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        match class(l) {
            Some(c) => match self.take(c) {
                Some(p) => {
                    // SAFETY: the block has at least `l.size()` bytes
                    unsafe { std::ptr::write_bytes(p, 0, l.size()) };
                    p
                }
                // fresh memory from `inner` may be zero already: it knows
                None => unsafe { self.inner.alloc_zeroed(block(c)) },
            },
            None => unsafe { self.inner.alloc_zeroed(l) },
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        match class(l) {
            Some(c) => {
                if !self.keep(c, p) {
                    unsafe { self.inner.dealloc(p, block(c)) }
                }
            }
            None => unsafe { self.inner.dealloc(p, l) },
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        // SAFETY (of the layout): the caller guarantees `size`, rounded up to the alignment,
        // does not overflow
        let to = unsafe { Layout::from_size_align_unchecked(size, l.align()) };
        match (class(l), class(to)) {
            (None, None) => unsafe { self.inner.realloc(p, l, size) },
            // the block has room for any size of its class
            (Some(a), Some(b)) if a == b => p,
            _ => {
                let q = unsafe { self.alloc(to) };
                if !q.is_null() {
                    // SAFETY: both hold at least the smaller size; they are distinct blocks
                    unsafe {
                        std::ptr::copy_nonoverlapping(p, q, l.size().min(size));
                        self.dealloc(p, l);
                    }
                }
                q
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The system allocator, counting what it is asked to free.
    struct Counting {
        freed: AtomicUsize,
    }

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            unsafe { System.alloc(l) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            self.freed.fetch_add(l.size(), Ordering::Relaxed);
            unsafe { System.dealloc(p, l) }
        }
    }

    fn cache() -> BlockCache<Counting> {
        BlockCache::new(Counting {
            freed: AtomicUsize::new(0),
        })
    }

    fn bytes(n: usize) -> Layout {
        Layout::from_size_align(n, 1).unwrap()
    }

    #[test]
    fn classes_are_powers_of_two_from_256_kib_to_32_mib() {
        assert_eq!(class(bytes((256 << 10) - 1)), None);
        assert_eq!(class(bytes(256 << 10)), Some(0));
        assert_eq!(class(bytes((256 << 10) + 1)), Some(1));
        assert_eq!(class(bytes(1 << 20)), Some(2));
        assert_eq!(class(bytes(32 << 20)), Some(7));
        assert_eq!(class(bytes((32 << 20) + 1)), None);
        assert_eq!(class(Layout::from_size_align(1 << 20, 256).unwrap()), None);
        assert_eq!(
            class(Layout::from_size_align(1 << 20, 128).unwrap()),
            Some(2)
        );
    }

    #[test]
    fn a_freed_block_serves_the_next_request_of_its_class() {
        let c = cache();
        unsafe {
            let p = c.alloc(bytes(700 << 10));
            c.dealloc(p, bytes(700 << 10));
            assert_eq!(c.kept_bytes(), 1 << 20);
            assert_eq!(c.inner.freed.load(Ordering::Relaxed), 0);
            // 600 KiB is of the same class (up to 1 MiB): the same block
            let q = c.alloc(bytes(600 << 10));
            assert_eq!(q, p);
            assert_eq!(c.kept_bytes(), 0);
            // another class is not served by it
            c.dealloc(q, bytes(600 << 10));
            let r = c.alloc(bytes(2 << 20));
            assert_ne!(r, p);
            c.dealloc(r, bytes(2 << 20));
            assert_eq!(c.kept_bytes(), 3 << 20);
        }
    }

    #[test]
    fn small_blocks_go_back_at_once_and_the_kept_stay_within_32_mib() {
        let c = cache();
        unsafe {
            let s = c.alloc(bytes(1000));
            c.dealloc(s, bytes(1000));
            assert_eq!(c.kept_bytes(), 0);
            assert_eq!(c.inner.freed.load(Ordering::Relaxed), 1000);
            // five 8 MiB blocks: four are kept, the fifth freed (at its block's size)
            let ps: Vec<_> = (0..5).map(|_| c.alloc(bytes(8 << 20))).collect();
            for p in ps {
                c.dealloc(p, bytes(8 << 20));
            }
            assert_eq!(c.kept_bytes(), 32 << 20);
            assert_eq!(c.inner.freed.load(Ordering::Relaxed), 1000 + (8 << 20));
        }
    }

    #[test]
    fn realloc_keeps_the_contents_and_stays_put_within_a_class() {
        let c = cache();
        unsafe {
            let p = c.alloc(bytes(300 << 10));
            for i in 0..(300 << 10) {
                *p.add(i) = (i % 251) as u8;
            }
            // 300 KiB to 500 KiB: both up to 512 KiB, the same block
            let q = c.realloc(p, bytes(300 << 10), 500 << 10);
            assert_eq!(q, p);
            // to 3 MiB: another block, the contents copied, the old block kept
            let r = c.realloc(q, bytes(500 << 10), 3 << 20);
            assert_ne!(r, q);
            assert!((0..(300 << 10)).all(|i| *r.add(i) == (i % 251) as u8));
            assert_eq!(c.kept_bytes(), 512 << 10);
            // down to 100 KiB: out of the classes, the contents copied
            let s = c.realloc(r, bytes(3 << 20), 100 << 10);
            assert!((0..(100 << 10)).all(|i| *s.add(i) == (i % 251) as u8));
            assert_eq!(c.kept_bytes(), (512 << 10) + (4 << 20));
            c.dealloc(s, bytes(100 << 10));
        }
    }

    #[test]
    fn a_zeroed_request_gets_zeros_from_a_kept_block() {
        let c = cache();
        unsafe {
            let p = c.alloc(bytes(400 << 10));
            std::ptr::write_bytes(p, 0xAB, 400 << 10);
            c.dealloc(p, bytes(400 << 10));
            let q = c.alloc_zeroed(bytes(450 << 10));
            assert_eq!(q, p);
            assert!((0..(450 << 10)).all(|i| *q.add(i) == 0));
            c.dealloc(q, bytes(450 << 10));
        }
    }
}
