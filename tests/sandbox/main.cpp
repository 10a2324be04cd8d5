#define BOOST_TEST_MODULE mock_platform
#include <boost/test/unit_test.hpp>
