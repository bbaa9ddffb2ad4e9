//! Dataset export and import (issue 5).
