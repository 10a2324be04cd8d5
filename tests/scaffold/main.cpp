#define BOOST_TEST_MODULE scaffold
#include <boost/test/unit_test.hpp>
