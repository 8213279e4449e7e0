"""network() and block() mask addresses by integer; they must equal ipaddress's parsing."""

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from undersigned.lib.client import address_hash, block, network

addresses = st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))


@given(addresses)
def test_network_and_block_are_the_networks_ipaddress_would_parse(address):
    small, coarse = (32, 24) if address.version == 4 else (64, 48)
    assert network(address) == ipaddress.ip_network(f"{address}/{small}", strict=False)
    assert block(address) == str(ipaddress.ip_network(f"{address}/{coarse}", strict=False))


def test_one_household_hashes_alike_and_the_hash_changes_with_the_key(settings):
    one, same_64 = ipaddress.ip_address("2001:db8::1"), ipaddress.ip_address("2001:db8::ffff")
    assert address_hash(one) == address_hash(same_64)
    before = address_hash(one)
    settings.SECRET_KEY = settings.SECRET_KEY + "-rotated"
    assert address_hash(one) != before
