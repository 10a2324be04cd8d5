#define BOOST_TEST_MODULE huitong_cli
#include <boost/test/unit_test.hpp>
