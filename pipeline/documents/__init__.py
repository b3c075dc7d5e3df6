"""Documents the SOP's steps call for: the directory of Divisions and addressees, the fields a
template needs (`letterfields`), sandboxed rendering of the Word templates (`letters`), their
checks (`templatecheck`), PDF conversion (`pdf`) and making one into a case (`docmaker`)."""
