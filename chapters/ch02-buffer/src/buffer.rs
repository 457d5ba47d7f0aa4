//! The `Buffer` itself: one contiguous byte array and two indices.
//!
//! ```text
//! +-------------------+------------------+------------------+
//! | prependable bytes |  readable bytes  |  writable bytes  |
//! |                   |    (content)     |                  |
//! +-------------------+------------------+------------------+
//! 0        <=     read index   <=   write index   <=   storage.len()
//! ```
//!
//! Reading from a socket appends at the write index; parsing consumes from
//! the read index. Consuming is an index bump, never a copy, so a request
//! that arrives in pieces is parsed where it landed.

use std::io;
use std::string::FromUtf8Error;

use crate::search;

// ANCHOR: consts
/// Bytes kept free in front of the content of a fresh buffer, so a length or
/// header can be put in front of data already written without moving it.
pub const PREPEND: usize = 8;

/// Bytes of content space a buffer allocates the first time it needs any.
pub const INITIAL_SIZE: usize = 1024;
// ANCHOR_END: consts

// ANCHOR: struct
/// A growable byte buffer with a read index, a write index and a prepend area.
///
/// `Buffer::new()` allocates nothing: an idle connection can hold an empty
/// buffer for the cost of the struct (five words, 40 bytes on 64-bit
/// Linux), and the first write
/// allocates [`PREPEND`] + [`INITIAL_SIZE`] bytes.
#[derive(Debug, Default, Clone)]
pub struct Buffer {
    /// Every byte of the storage is initialized (zeroed when allocated), so
    /// the writable tail can be handed out as `&mut [u8]` without `unsafe`.
    /// Invariant: `read <= write <= storage.len()`.
    storage: Vec<u8>,
    read: usize,
    write: usize,
}
// ANCHOR_END: struct

impl Buffer {
    /// An empty buffer that has not allocated yet.
    pub const fn new() -> Self {
        Buffer {
            storage: Vec::new(),
            read: 0,
            write: 0,
        }
    }

    /// An empty buffer with room for `capacity` bytes of content (plus the prepend area).
    pub fn with_capacity(capacity: usize) -> Self {
        Buffer {
            storage: vec![0; PREPEND + capacity],
            read: PREPEND,
            write: PREPEND,
        }
    }

    // ANCHOR: sizes
    /// Bytes written and not yet consumed: the content.
    pub fn readable_bytes(&self) -> usize {
        self.write - self.read
    }

    /// Bytes that can be written before the buffer has to make space.
    pub fn writable_bytes(&self) -> usize {
        self.storage.len() - self.write
    }

    /// Bytes in front of the content: the prepend area plus whatever has been consumed.
    pub fn prependable_bytes(&self) -> usize {
        self.read
    }
    // ANCHOR_END: sizes

    // ANCHOR: peek
    /// True when there is no content.
    pub fn is_empty(&self) -> bool {
        self.read == self.write
    }

    /// Heap bytes this buffer holds (0 after [`release`](Self::release) on an empty buffer).
    pub fn allocated_bytes(&self) -> usize {
        self.storage.capacity()
    }

    /// The content, without consuming it.
    pub fn peek(&self) -> &[u8] {
        &self.storage[self.read..self.write]
    }
    // ANCHOR_END: peek

    // ANCHOR: retrieve
    /// Consumes the first `n` bytes of content: an index bump, no copy.
    ///
    /// # Panics
    /// If `n` is more than [`readable_bytes`](Self::readable_bytes): the
    /// caller consumed bytes it never looked at, which is a bug in the caller.
    pub fn retrieve(&mut self, n: usize) {
        assert!(
            n <= self.readable_bytes(),
            "retrieve({n}) with only {} readable bytes",
            self.readable_bytes()
        );
        if n < self.readable_bytes() {
            self.read += n;
        } else {
            self.retrieve_all();
        }
    }

    /// Consumes all content. Both indices go back to the start, so the whole
    /// storage is writable again without moving a byte: the common case of a
    /// request consumed entirely costs nothing.
    pub fn retrieve_all(&mut self) {
        let start = if self.storage.is_empty() { 0 } else { PREPEND };
        self.read = start;
        self.write = start;
    }
    // ANCHOR_END: retrieve

    /// Consumes the first `n` bytes and returns a copy of them.
    ///
    /// # Panics
    /// As [`retrieve`](Self::retrieve).
    pub fn take_bytes(&mut self, n: usize) -> Vec<u8> {
        let bytes = self.peek()[..n].to_vec();
        self.retrieve(n);
        bytes
    }

    /// Consumes all content and returns a copy of it.
    pub fn take_all(&mut self) -> Vec<u8> {
        self.take_bytes(self.readable_bytes())
    }

    /// Consumes the first `n` bytes and returns them as a `String`. The
    /// bytes are consumed even if they are not UTF-8; the error gives them back.
    ///
    /// # Panics
    /// As [`retrieve`](Self::retrieve).
    pub fn take_string(&mut self, n: usize) -> Result<String, FromUtf8Error> {
        String::from_utf8(self.take_bytes(n))
    }

    // ANCHOR: append
    /// Appends `data` after the content, making space first if needed.
    /// Inlined: appends are usually small (an interim `100 Continue`), and
    /// when the response head was written as a dozen of them, a call each
    /// cost more than the copies (the book's chapter on the hot path; the
    /// head now makes its room once and copies into it).
    #[inline]
    pub fn append(&mut self, data: &[u8]) {
        self.ensure_writable(data.len());
        self.storage[self.write..self.write + data.len()].copy_from_slice(data);
        self.write += data.len();
    }

    /// Makes sure at least `n` bytes are writable.
    #[inline]
    pub fn ensure_writable(&mut self, n: usize) {
        if self.writable_bytes() < n {
            self.make_space(n);
        }
    }
    // ANCHOR_END: append

    // ANCHOR: commit
    /// The writable tail, to fill in place (for example by a parser-free
    /// serializer). Follow with [`commit`](Self::commit) to make what was
    /// written part of the content.
    pub fn writable_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.write..]
    }

    /// Marks `n` bytes of the writable tail as content.
    ///
    /// # Panics
    /// If `n` is more than [`writable_bytes`](Self::writable_bytes).
    pub fn commit(&mut self, n: usize) {
        assert!(
            n <= self.writable_bytes(),
            "commit({n}) with only {} writable bytes",
            self.writable_bytes()
        );
        self.write += n;
    }
    // ANCHOR_END: commit

    // ANCHOR: prepend
    /// Writes `data` directly in front of the content, without moving the content.
    ///
    /// The use case: serialize a body first, then put its length or a header
    /// in front of it once it is known. A fresh buffer has [`PREPEND`] bytes
    /// for this; consumed bytes at the front add to it.
    ///
    /// # Panics
    /// If `data` is longer than [`prependable_bytes`](Self::prependable_bytes).
    pub fn prepend(&mut self, data: &[u8]) {
        if self.storage.is_empty() {
            self.make_space(0);
        }
        assert!(
            data.len() <= self.prependable_bytes(),
            "prepend of {} bytes with only {} prependable",
            data.len(),
            self.prependable_bytes()
        );
        self.read -= data.len();
        self.storage[self.read..self.read + data.len()].copy_from_slice(data);
    }
    // ANCHOR_END: prepend

    // ANCHOR: make_space
    /// Makes at least `n` bytes writable: by sliding the content to the front
    /// when the consumed bytes there make enough room, by growing otherwise.
    ///
    /// Sliding copies only the content, which in a server is usually the
    /// short tail of a partly parsed request; growing allocates and copies
    /// too, and keeps the memory forever. So compaction comes first.
    #[cold]
    fn make_space(&mut self, n: usize) {
        let readable = self.readable_bytes();
        if self.storage.is_empty() {
            self.storage = vec![0; PREPEND + n.max(INITIAL_SIZE)];
            self.read = PREPEND;
            self.write = PREPEND;
        } else if self.read.saturating_sub(PREPEND) + self.writable_bytes() >= n {
            // Consumed bytes in front plus the tail are enough: compact.
            self.storage.copy_within(self.read..self.write, PREPEND);
            self.read = PREPEND;
            self.write = PREPEND + readable;
        } else {
            // Grow, at least doubling so that a run of appends costs amortized
            // O(1), and compact while copying: only the content moves.
            let len = (PREPEND + readable + n).max(2 * self.storage.len());
            let mut storage = vec![0; len];
            storage[PREPEND..PREPEND + readable].copy_from_slice(self.peek());
            self.storage = storage;
            self.read = PREPEND;
            self.write = PREPEND + readable;
        }
    }
    // ANCHOR_END: make_space

    // ANCHOR: shrink
    /// Gives back memory: keeps the content and `keep` writable bytes, frees
    /// the rest. An empty buffer shrunk with `keep == 0` frees everything
    /// and costs no heap at all until it is written again.
    pub fn shrink(&mut self, keep: usize) {
        let readable = self.readable_bytes();
        if readable == 0 && keep == 0 {
            self.storage = Vec::new();
            self.read = 0;
            self.write = 0;
            return;
        }
        let len = PREPEND + readable + keep;
        if len >= self.storage.len() {
            return;
        }
        let mut storage = vec![0; len];
        storage[PREPEND..PREPEND + readable].copy_from_slice(self.peek());
        self.storage = storage;
        self.read = PREPEND;
        self.write = PREPEND + readable;
    }

    /// What an idle connection calls: keeps only the content, if any.
    pub fn release(&mut self) {
        self.shrink(0);
    }
    // ANCHOR_END: shrink

    // ANCHOR: storage
    /// Hands the storage out, if the buffer is empty, and leaves the buffer
    /// with none, as [`Buffer::new`] does: a pool can keep the storage
    /// while the connection idles and give it to whichever buffer needs it
    /// next (chapter 8). `None` if there is content, or no storage.
    pub fn take_storage(&mut self) -> Option<Vec<u8>> {
        if !self.is_empty() || self.storage.is_empty() {
            return None;
        }
        self.read = 0;
        self.write = 0;
        Some(std::mem::take(&mut self.storage))
    }

    /// Gives a buffer without storage (new, released or taken) `storage` to
    /// write into; its length is what the buffer may use. It is handed back
    /// if the buffer already has storage, or if it is too short to hold
    /// more than the prepend area.
    ///
    /// The bytes `storage` holds are never read: the content starts out
    /// empty and reads and appends overwrite them, so storage that served
    /// one client can serve the next without being cleared.
    pub fn give_storage(&mut self, storage: Vec<u8>) -> Result<(), Vec<u8>> {
        if !self.storage.is_empty() || storage.len() <= PREPEND {
            return Err(storage);
        }
        self.storage = storage;
        self.read = PREPEND;
        self.write = PREPEND;
        Ok(())
    }
    // ANCHOR_END: storage

    // ANCHOR: find
    /// Offset (from the start of the content) of the first `"\r\n"`.
    pub fn find_crlf(&self) -> Option<usize> {
        self.find_crlf_from(0)
    }

    /// Like [`find_crlf`](Self::find_crlf), but skips the first `start` bytes
    /// of content, so a parser that already scanned them need not again.
    pub fn find_crlf_from(&self, start: usize) -> Option<usize> {
        let content = self.peek();
        let from = start.min(content.len());
        search::find_crlf(&content[from..]).map(|i| from + i)
    }

    /// Offset of the first `"\r\n\r\n"`, the end of an HTTP header block,
    /// searching from `start`. A caller that searches again after more bytes
    /// arrived passes `start = old_len.saturating_sub(3)`, so the search costs
    /// O(new bytes), not O(all bytes) per read: a client that sends its
    /// headers one byte at a time can't make the server quadratic.
    pub fn find_double_crlf_from(&self, start: usize) -> Option<usize> {
        let content = self.peek();
        let from = start.min(content.len());
        search::find_double_crlf(&content[from..]).map(|i| from + i)
    }
    // ANCHOR_END: find
}

/// `write!` and friends append to the buffer, so a response head can be
/// formatted straight into it. Writing never fails.
impl io::Write for Buffer {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.append(data);
        Ok(data.len())
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        self.append(data);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn new_buffer_allocates_nothing_until_written() {
        let mut buf = Buffer::new();
        assert_eq!(buf.allocated_bytes(), 0);
        assert_eq!(
            (
                buf.readable_bytes(),
                buf.writable_bytes(),
                buf.prependable_bytes()
            ),
            (0, 0, 0)
        );
        buf.append(b"GET");
        assert_eq!(buf.allocated_bytes(), PREPEND + INITIAL_SIZE);
        assert_eq!(buf.prependable_bytes(), PREPEND);
        assert_eq!(buf.writable_bytes(), INITIAL_SIZE - 3);
    }

    // ANCHOR: test_partial_send
    #[test]
    fn indices_after_a_partial_send() {
        let mut buf = Buffer::with_capacity(32);
        buf.append(b"HTTP/1.1 200 OK\r\n");
        // The socket took 9 bytes: only the read index moves.
        buf.retrieve(9);
        assert_eq!(buf.peek(), b"200 OK\r\n");
        assert_eq!(buf.prependable_bytes(), PREPEND + 9);
        // The rest went out: both indices return to the front, no copy.
        buf.retrieve(8);
        assert_eq!(buf.prependable_bytes(), PREPEND);
        assert_eq!(buf.readable_bytes(), 0);
    }
    // ANCHOR_END: test_partial_send

    #[test]
    fn make_space_compacts_before_it_grows() {
        let mut buf = Buffer::with_capacity(32);
        buf.append(&[b'a'; 30]);
        buf.retrieve(20);
        // 2 writable + 20 consumed in front: 16 more fit after sliding.
        buf.append(&[b'b'; 16]);
        assert_eq!(buf.allocated_bytes(), PREPEND + 32, "compacted, not grown");
        assert_eq!(buf.prependable_bytes(), PREPEND);
        assert_eq!(&buf.peek()[..10], &[b'a'; 10]);
        // Now nothing is consumed and 6 are free: 7 more must grow.
        buf.append(&[b'c'; 7]);
        assert!(buf.allocated_bytes() > PREPEND + 32);
        assert_eq!(buf.readable_bytes(), 33);
    }

    #[test]
    fn prepend_writes_in_front_without_moving_the_content() {
        let mut buf = Buffer::new();
        buf.append(b"body");
        let content_at = buf.prependable_bytes();
        buf.prepend(&4u32.to_be_bytes());
        assert_eq!(buf.peek(), b"\0\0\0\x04body");
        assert_eq!(buf.prependable_bytes(), content_at - 4);
        // Consumed bytes become prependable too.
        buf.retrieve(6);
        buf.prepend(b"12345678");
        assert_eq!(buf.peek(), b"12345678dy");
    }

    #[test]
    #[should_panic(expected = "prepend of 9 bytes")]
    fn prepend_more_than_the_area_panics() {
        let mut buf = Buffer::new();
        buf.prepend(b"123456789");
    }

    #[test]
    #[should_panic(expected = "retrieve(2)")]
    fn retrieving_more_than_is_readable_panics() {
        let mut buf = Buffer::new();
        buf.append(b"x");
        buf.retrieve(2);
    }

    #[test]
    fn shrink_and_release_give_memory_back() {
        let mut buf = Buffer::new();
        buf.append(&[7; 10_000]);
        buf.retrieve(9_990);
        buf.shrink(100);
        assert_eq!(buf.allocated_bytes(), PREPEND + 10 + 100);
        assert_eq!(buf.peek(), &[7; 10]);
        buf.release();
        assert_eq!(buf.allocated_bytes(), PREPEND + 10, "content is kept");
        buf.retrieve_all();
        buf.release();
        assert_eq!(buf.allocated_bytes(), 0);
        buf.append(b"again");
        assert_eq!(buf.peek(), b"again");
    }

    #[test]
    fn storage_is_handed_out_only_when_empty_and_taken_back_only_when_missing() {
        let mut buf = Buffer::new();
        assert_eq!(buf.take_storage(), None, "no storage yet");
        buf.append(b"abc");
        assert_eq!(buf.take_storage(), None, "content in it");
        buf.retrieve_all();
        let storage = buf.take_storage().expect("empty with storage");
        assert_eq!(storage.len(), PREPEND + INITIAL_SIZE);
        assert_eq!((buf.allocated_bytes(), buf.writable_bytes()), (0, 0));
        // Another buffer adopts it, stale bytes and all, and starts empty.
        let mut other = Buffer::new();
        other.give_storage(storage).unwrap();
        assert!(other.is_empty());
        assert_eq!(other.writable_bytes(), INITIAL_SIZE);
        other.append(b"xyz");
        assert_eq!(other.peek(), b"xyz");
        let refused = other.give_storage(vec![0; 64]).unwrap_err();
        assert_eq!(refused.len(), 64, "it already has storage");
        assert!(buf.give_storage(vec![0; PREPEND]).is_err(), "too short");
    }

    #[test]
    fn take_string_consumes_and_reports_invalid_utf8() {
        let mut buf = Buffer::new();
        buf.append(b"GET \xff");
        assert_eq!(buf.take_string(4).unwrap(), "GET ");
        let err = buf.take_string(1).unwrap_err();
        assert_eq!(err.into_bytes(), b"\xff");
        assert!(buf.is_empty());
    }

    #[test]
    fn finds_line_ends_and_the_end_of_the_head() {
        let mut buf = Buffer::new();
        write!(buf, "GET / HTTP/1.1\r\nHost: a\r\n\r\nbody").unwrap();
        assert_eq!(buf.find_crlf(), Some(14));
        assert_eq!(buf.find_crlf_from(15), Some(23));
        assert_eq!(buf.find_double_crlf_from(0), Some(23));
        assert_eq!(buf.find_double_crlf_from(24), None);
        buf.retrieve(16);
        assert_eq!(buf.find_crlf(), Some(7));
        assert_eq!(buf.find_crlf_from(1000), None);
    }
}
