#define BOOST_TEST_MODULE adapters
#include <boost/test/unit_test.hpp>
