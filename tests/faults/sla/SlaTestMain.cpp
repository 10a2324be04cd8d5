// The test module of gateway/faults/sla; each area's cases are in its own file.
#define BOOST_TEST_MODULE faults_sla
#include <boost/test/unit_test.hpp>
