#define BOOST_TEST_MODULE exchange
#include <boost/test/unit_test.hpp>
