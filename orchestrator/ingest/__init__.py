"""Reading the stream: stdin lines with their arrival times, and the bounded backlog."""
