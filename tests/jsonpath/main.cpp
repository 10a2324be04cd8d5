#define BOOST_TEST_MODULE jsonpath
#include <boost/test/unit_test.hpp>
