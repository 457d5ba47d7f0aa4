//! Socket addresses between Rust and the kernel.
//!
//! Rust names an endpoint with [`std::net::SocketAddr`]; the kernel takes a
//! pointer to a `sockaddr` and a length, where the first field (`sa_family`)
//! says which concrete struct follows: `sockaddr_in` for IPv4 (16 bytes),
//! `sockaddr_in6` for IPv6 (28 bytes). `sockaddr_storage` is a struct large
//! and aligned enough for any of them, which is why `accept` and
//! `getsockname` write into one.
//!
//! The one trap is byte order: ports and IPv4 addresses live in the struct in
//! network order (big-endian), whatever the CPU's order is.

use std::io;
use std::mem;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// A socket address in the kernel's layout, ready to pass to `bind`,
/// `connect` or to be filled in by `accept`.
#[derive(Clone, Copy)]
pub struct SockAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl std::fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_std() {
            Ok(addr) => write!(f, "SockAddr({addr})"),
            Err(_) => write!(f, "SockAddr(family {})", self.storage.ss_family),
        }
    }
}

// ANCHOR: v4
/// Lays out an IPv4 endpoint as the kernel expects it.
pub fn to_sockaddr_in(addr: &SocketAddrV4) -> libc::sockaddr_in {
    libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        // Network byte order: the most significant byte first in memory.
        sin_port: addr.port().to_be(),
        sin_addr: libc::in_addr {
            // `octets()` is already in network order (a.b.c.d); keep those
            // bytes exactly where they are in memory.
            s_addr: u32::from_ne_bytes(addr.ip().octets()),
        },
        sin_zero: [0; 8],
    }
}

/// Reads an IPv4 endpoint back out of the kernel's layout.
pub fn from_sockaddr_in(raw: &libc::sockaddr_in) -> SocketAddrV4 {
    let ip = Ipv4Addr::from(raw.sin_addr.s_addr.to_ne_bytes());
    SocketAddrV4::new(ip, u16::from_be(raw.sin_port))
}
// ANCHOR_END: v4

// ANCHOR: v6
/// Lays out an IPv6 endpoint. The address bytes are in network order already;
/// flow info and scope id are passed through the way the kernel reports them.
pub fn to_sockaddr_in6(addr: &SocketAddrV6) -> libc::sockaddr_in6 {
    libc::sockaddr_in6 {
        sin6_family: libc::AF_INET6 as libc::sa_family_t,
        sin6_port: addr.port().to_be(),
        sin6_flowinfo: addr.flowinfo(),
        sin6_addr: libc::in6_addr {
            s6_addr: addr.ip().octets(),
        },
        sin6_scope_id: addr.scope_id(),
    }
}

/// Reads an IPv6 endpoint back out of the kernel's layout.
pub fn from_sockaddr_in6(raw: &libc::sockaddr_in6) -> SocketAddrV6 {
    SocketAddrV6::new(
        Ipv6Addr::from(raw.sin6_addr.s6_addr),
        u16::from_be(raw.sin6_port),
        raw.sin6_flowinfo,
        raw.sin6_scope_id,
    )
}
// ANCHOR_END: v6

impl SockAddr {
    // ANCHOR: from_std
    /// Converts a Rust address into the kernel's layout.
    pub fn from_std(addr: &SocketAddr) -> SockAddr {
        // SAFETY: sockaddr_storage is plain old data; all-zero bytes are a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let len = match addr {
            SocketAddr::V4(v4) => {
                let raw = to_sockaddr_in(v4);
                // SAFETY: sockaddr_storage is larger than and at least as aligned as
                // sockaddr_in (that is its purpose), so the write stays in bounds.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(raw) };
                mem::size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(v6) => {
                let raw = to_sockaddr_in6(v6);
                // SAFETY: as above, for sockaddr_in6.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(raw) };
                mem::size_of::<libc::sockaddr_in6>()
            }
        };
        SockAddr {
            storage,
            len: len as libc::socklen_t,
        }
    }
    // ANCHOR_END: from_std

    // ANCHOR: to_std
    /// Converts what the kernel wrote back into a Rust address.
    ///
    /// Fails with `InvalidInput` for a family other than IPv4 or IPv6 (a Unix
    /// socket, say) or a length too short for the family it claims.
    pub fn to_std(&self) -> io::Result<SocketAddr> {
        let len = self.len as usize;
        match libc::c_int::from(self.storage.ss_family) {
            libc::AF_INET if len >= mem::size_of::<libc::sockaddr_in>() => {
                // SAFETY: the family and length say the storage holds a sockaddr_in,
                // and sockaddr_storage is aligned for it.
                let raw = unsafe { &*(&raw const self.storage).cast::<libc::sockaddr_in>() };
                Ok(SocketAddr::V4(from_sockaddr_in(raw)))
            }
            libc::AF_INET6 if len >= mem::size_of::<libc::sockaddr_in6>() => {
                // SAFETY: as above, for sockaddr_in6.
                let raw = unsafe { &*(&raw const self.storage).cast::<libc::sockaddr_in6>() };
                Ok(SocketAddr::V6(from_sockaddr_in6(raw)))
            }
            family => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not an IPv4 or IPv6 socket address (family {family}, {len} bytes)"),
            )),
        }
    }
    // ANCHOR_END: to_std

    /// An empty address for the kernel to fill in (`accept`, `getsockname`).
    pub(crate) fn empty() -> SockAddr {
        SockAddr {
            // SAFETY: sockaddr_storage is plain old data; all-zero bytes are valid.
            storage: unsafe { mem::zeroed() },
            len: mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t,
        }
    }

    /// Pointer for calls that read the address (`bind`, `connect`).
    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    /// Pointers for calls that write an address and its length (`accept4`,
    /// `getsockname`, `getpeername`). The kernel reads `len` as the room
    /// available and overwrites it with the length it used.
    pub(crate) fn as_mut_ptrs(&mut self) -> (*mut libc::sockaddr, *mut libc::socklen_t) {
        ((&raw mut self.storage).cast(), &raw mut self.len)
    }

    /// How many bytes of the storage are in use: the length argument of
    /// `bind` and `connect`.
    pub(crate) fn len(&self) -> libc::socklen_t {
        self.len
    }
}

impl From<SocketAddr> for SockAddr {
    fn from(addr: SocketAddr) -> SockAddr {
        SockAddr::from_std(&addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_port_and_address_are_in_network_byte_order() {
        let addr: SocketAddrV4 = "192.168.1.2:4660".parse().unwrap(); // 4660 = 0x1234
        let raw = to_sockaddr_in(&addr);
        assert_eq!(raw.sin_port.to_ne_bytes(), [0x12, 0x34]);
        assert_eq!(raw.sin_addr.s_addr.to_ne_bytes(), [192, 168, 1, 2]);
        assert_eq!(from_sockaddr_in(&raw), addr);
    }

    #[test]
    fn v6_round_trips_with_scope_and_flowinfo() {
        let addr = SocketAddrV6::new("fe80::1".parse().unwrap(), 8080, 7, 3);
        let raw = to_sockaddr_in6(&addr);
        assert_eq!(raw.sin6_port.to_ne_bytes(), 8080u16.to_be_bytes());
        assert_eq!(from_sockaddr_in6(&raw), addr);
    }

    #[test]
    fn storage_round_trips_both_families_with_the_right_length() {
        for text in [
            "127.0.0.1:80",
            "[::1]:443",
            "0.0.0.0:0",
            "[2001:db8::7]:65535",
        ] {
            let addr: SocketAddr = text.parse().unwrap();
            let raw = SockAddr::from(addr);
            let expected = match addr {
                SocketAddr::V4(_) => mem::size_of::<libc::sockaddr_in>(),
                SocketAddr::V6(_) => mem::size_of::<libc::sockaddr_in6>(),
            };
            assert_eq!(raw.len() as usize, expected, "{text}");
            assert_eq!(raw.to_std().unwrap(), addr);
        }
    }

    #[test]
    fn unknown_family_and_short_length_are_errors() {
        let mut raw = SockAddr::empty();
        raw.storage.ss_family = libc::AF_UNIX as libc::sa_family_t;
        assert_eq!(
            raw.to_std().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );

        let mut short = SockAddr::from_std(&"10.0.0.1:1".parse().unwrap());
        short.len = 4;
        assert_eq!(
            short.to_std().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
