// Implementation in progress; see the header.
