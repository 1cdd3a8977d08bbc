// The kernel ABI of NETLINK_SOCK_DIAG / inet_diag that knetstat relies on, as plain
// numbers and byte offsets (include/uapi/linux/{netlink,rtnetlink,sock_diag,inet_diag}.h).
// Kept here instead of casting bytes to the system headers' structs so the parser
// never depends on the build machine's header version or on buffer alignment.
#pragma once

#include <cstddef>
#include <cstdint>

namespace knetstat::diag::abi {

// struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid.
constexpr size_t kNlmsgHeaderSize = 16;
constexpr size_t kNlmsgLenOffset = 0;
constexpr size_t kNlmsgTypeOffset = 4;
constexpr size_t kNlmsgFlagsOffset = 6;
constexpr size_t kNlmsgSeqOffset = 8;
constexpr size_t kNlmsgPidOffset = 12;
constexpr size_t kNlmsgAlignTo = 4;

constexpr uint16_t kNlmsgNoop = 1;
constexpr uint16_t kNlmsgError = 2;
constexpr uint16_t kNlmsgDone = 3;
constexpr uint16_t kNlmsgOverrun = 4;
constexpr uint16_t kSockDiagByFamily = 20;

constexpr uint16_t kNlmFlagRequest = 0x01;
constexpr uint16_t kNlmFlagMulti = 0x02;
constexpr uint16_t kNlmFlagDumpIntr = 0x10;
constexpr uint16_t kNlmFlagRoot = 0x100;
constexpr uint16_t kNlmFlagMatch = 0x200;
constexpr uint16_t kNlmFlagDump = kNlmFlagRoot | kNlmFlagMatch;

// NLMSG_ERROR payload: s32 error (negative errno, 0 = ack), then the request's header.
constexpr size_t kNlmsgErrorCodeSize = 4;

// struct rtattr / nlattr: u16 len (header included), u16 type.
constexpr size_t kAttrHeaderSize = 4;
constexpr size_t kAttrAlignTo = 4;
constexpr uint16_t kAttrTypeMask = 0x3fff;  // drops NLA_F_NESTED / NLA_F_NET_BYTEORDER

// struct inet_diag_req_v2: u8 family, u8 protocol, u8 ext, u8 pad, u32 states, sockid.
constexpr size_t kReqV2Size = 56;
constexpr size_t kReqV2Family = 0;
constexpr size_t kReqV2Protocol = 1;
constexpr size_t kReqV2Ext = 2;
constexpr size_t kReqV2States = 4;
constexpr uint16_t kReqAttrBytecode = 1;  // INET_DIAG_REQ_BYTECODE

// The compatibility request TCPDIAG_GETSOCK (include/uapi/linux/inet_diag.h) with
// struct inet_diag_req (v1): u8 family, u8 src_len, u8 dst_len, u8 ext, sockid (48),
// u32 states, u32 dbs. A dump of it walks TCP of every family; its replies echo its type.
constexpr uint16_t kTcpDiagGetSock = 18;
constexpr size_t kReqV1Size = 60;
constexpr size_t kReqV1Family = 0;
constexpr size_t kReqV1Ext = 3;
constexpr size_t kReqV1States = 52;

// struct inet_diag_sockid: be16 sport, be16 dport, be32 src[4], be32 dst[4], u32 if, u32 cookie[2].
// struct inet_diag_msg: u8 family, u8 state, u8 timer, u8 retrans, sockid, u32 expires,
// u32 rqueue, u32 wqueue, u32 uid, u32 inode.
constexpr size_t kMsgFamily = 0;
constexpr size_t kMsgState = 1;
constexpr size_t kMsgTimer = 2;
constexpr size_t kMsgRetrans = 3;
constexpr size_t kMsgSport = 4;
constexpr size_t kMsgDport = 6;
constexpr size_t kMsgSrc = 8;
constexpr size_t kMsgDst = 24;
constexpr size_t kMsgIfindex = 40;
constexpr size_t kMsgCookie = 44;
constexpr size_t kMsgExpires = 52;
constexpr size_t kMsgRqueue = 56;
constexpr size_t kMsgWqueue = 60;
constexpr size_t kMsgUid = 64;
constexpr size_t kMsgInode = 68;
constexpr size_t kMsgSize = 72;

// Reply attributes (enum inet_diag_attr). Request extension bit = 1 << (attr - 1),
// so only attributes 1..8 can be asked for; the others come when the kernel has them.
constexpr uint16_t kAttrMeminfo = 1;
constexpr uint16_t kAttrInfo = 2;
constexpr uint16_t kAttrVegasInfo = 3;
constexpr uint16_t kAttrCong = 4;
constexpr uint16_t kAttrTos = 5;
constexpr uint16_t kAttrTclass = 6;
constexpr uint16_t kAttrSkmeminfo = 7;
constexpr uint16_t kAttrShutdown = 8;
constexpr uint16_t kAttrSkv6only = 11;
constexpr uint16_t kAttrMark = 15;
constexpr uint16_t kAttrClassId = 17;
constexpr uint16_t kAttrCgroupId = 21;
constexpr uint16_t kAttrSockopt = 22;

constexpr uint8_t kFamilyInet = 2;   // AF_INET
constexpr uint8_t kFamilyInet6 = 10; // AF_INET6
constexpr uint8_t kProtocolTcp = 6;  // IPPROTO_TCP

}  // namespace knetstat::diag::abi
