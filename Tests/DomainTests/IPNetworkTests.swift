import Testing
import Domain

@Suite("IP networks and forwarded clients")
struct IPNetworkTests {
    @Test("CIDR parsing and membership, IPv4 and IPv6")
    func membership() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains("10.200.3.4"))
        #expect(!ten.contains("11.0.0.1"))
        #expect(ten.contains("::ffff:10.1.2.3"))
        let host = try #require(IPNetwork("192.168.1.7"))
        #expect(host.contains("192.168.1.7") && !host.contains("192.168.1.8"))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains("fd12:3456::1") && !v6.contains("fe80::1"))
        let odd = try #require(IPNetwork("172.16.0.0/12"))
        #expect(odd.contains("172.31.255.255") && !odd.contains("172.32.0.0"))
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "nonsense", "::1/129", "10.0.0.0/-1", "10.0.0.0/٣"] { #expect(IPNetwork(bad) == nil, "\(bad)") }
    }

    @Test("X-Forwarded-For names the client only when the peer is a trusted proxy")
    func forwardedClient() throws {
        let trusted = [try #require(IPNetwork("10.0.0.0/8"))]
        // From the load balancer: the right-most untrusted hop is the client.
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["198.51.100.7"], trusted: trusted) == "198.51.100.7")
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["203.0.113.9, 198.51.100.7, 10.0.0.9"], trusted: trusted) == "198.51.100.7")
        // A spoofed left-most value does not win over what the proxy appended.
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4", "198.51.100.7"], trusted: trusted) == "198.51.100.7")
        // Straight from the internet: the header is ignored.
        #expect(IPNetwork.client(peer: "198.51.100.7", forwardedFor: ["10.0.0.1"], trusted: trusted) == "198.51.100.7")
        // No proxies configured: the peer, always.
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["198.51.100.7"], trusted: []) == "10.0.0.5")
        // Garbage in the header: the peer.
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["not-an-ip"], trusted: trusted) == "10.0.0.5")
        // Only proxies in the chain: the left-most.
        #expect(IPNetwork.client(peer: "10.0.0.5", forwardedFor: ["10.0.0.8"], trusted: trusted) == "10.0.0.8")
    }
}
